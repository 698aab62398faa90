"""Configuration: one TOML file, every key overridable by a NEWSWATCH_* environment variable.

``NEWSWATCH_DATABASE_URL`` overrides ``[database] url``, ``NEWSWATCH_TOPIC_QUERY`` overrides
``[topic] query``; list-valued sections take JSON (``NEWSWATCH_SOURCES='[{"url": ...}]'``).
Unknown keys are errors: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from newswatch.durations import Duration
from scraper.topic import TopicQuery, TopicQueryError

SourceKind = Literal["feed", "sitemap", "page", "article"]


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file, the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = Field("sqlite:///newswatch.db", description="SQLAlchemy URL of the database.")


class SourceConfig(_Section):
    url: str = Field(description="Address of the feed, sitemap, listing page or article.")
    kind: SourceKind = Field("feed", description="feed | sitemap | page | article")
    every: Duration = Field(timedelta(minutes=5), description="How often the source is polled.")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class TopicConfig(_Section):
    query: str = Field("", description="Topic query; empty means every article counts.")

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            TopicQuery(value)
        except TopicQueryError as error:
            raise ValueError(str(error)) from None
        return value


class RecheckTier(_Section):
    younger_than: Duration
    every: Duration


class RecheckConfig(_Section):
    tiers: tuple[RecheckTier, ...] = Field(
        default=tuple(
            RecheckTier(younger_than=young, every=every)  # type: ignore[arg-type]
            for young, every in (("3h", "15m"), ("1d", "1h"), ("7d", "3h"), ("30d", "3d"),
                                 ("365d", "30d"))
        ),
        description="Article recheck tiers by age; older than the last tier: never rechecked.",
    )

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: tuple[RecheckTier, ...]) -> tuple[RecheckTier, ...]:
        ages = [tier.younger_than for tier in tiers]
        if ages != sorted(ages):
            raise ValueError("tiers must be listed from the youngest to the oldest")
        return tiers


class AlertConfig(_Section):
    url: str = Field(description="console://, jsonl:///path/file.jsonl, or any apprise URL.")


class FetchConfig(_Section):
    user_agent: str = Field(
        "newswatch/0.1 (news change tracker; polite, obeys robots.txt)",
        description="User-Agent sent with every request; add a contact URL or e-mail.",
    )
    timeout: Duration = Field(timedelta(seconds=30), description="Read timeout per request.")
    max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Largest body accepted.")
    concurrency: int = Field(8, gt=0, le=256, description="Fetches in flight at once.")


class DaemonConfig(_Section):
    tick: Duration = Field(timedelta(seconds=5), description="How often due work is claimed.")
    batch: int = Field(32, gt=0, description="Items claimed per tick.")
    lease: Duration = Field(timedelta(minutes=5), description="How long a claim is held.")
    shutdown_grace: Duration = Field(timedelta(seconds=20),
                                     description="Time in-flight work gets on SIGTERM.")


class Settings(BaseSettings):
    """Everything newswatch can be told; built once at the entry point and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSWATCH_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
        frozen=True,
    )

    database: DatabaseConfig = DatabaseConfig()
    sources: tuple[SourceConfig, ...] = ()
    topic: TopicConfig = TopicConfig()
    recheck: RecheckConfig = RecheckConfig()
    alerts: tuple[AlertConfig, ...] = (AlertConfig(url="console://"),)
    fetch: FetchConfig = FetchConfig()
    daemon: DaemonConfig = DaemonConfig()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment beats the file: that is how a container overrides one key.
        return (env_settings, init_settings)


def default_config_text() -> str:
    """The commented default configuration shipped with newswatch (the Istanbul talks)."""
    return resources.files("newswatch").joinpath("default.toml").read_text(encoding="utf-8")


def load_settings(path: Path | None = None) -> Settings:
    """Read ``path`` (or the shipped default) and the environment into one Settings value."""
    label = str(path) if path else "the built-in default configuration"
    if path is None:
        text = default_config_text()
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(
                f"{path}: no such file (create one with `newswatch init {path}`)") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read it: {error}") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{label}: not valid TOML: {error}") from None
    try:
        return Settings(**data)
    except ValidationError as error:
        raise ConfigError(_explain(label, error)) from None


def _explain(label: str, error: ValidationError) -> str:
    lines = [f"{label}: {error.error_count()} problem(s) in the configuration"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see `newswatch init` for every key)"
        elif problem["type"] == "literal_error":
            message = f"{message} (got {problem.get('input')!r})"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)
