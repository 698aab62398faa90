"""Configuration: one TOML file, every key overridable by a NEWSWATCH_* environment variable.

``NEWSWATCH_DATABASE_URL`` overrides ``[database] url``, ``NEWSWATCH_TOPIC_QUERY`` overrides
``[topic] query``; list-valued sections take JSON (``NEWSWATCH_SOURCES='[{"url": ...}]'``).
Unknown keys are errors: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import os
import re
import tomllib
import typing
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

import storage
from newswatch.durations import Duration
from scheduler.messages import TemplateError, check_template
from scheduler.policy import NEWSDIFFS_TIERS
from scheduler.redact import scrub
from scraper.addresses import DEFAULT_PORTS, PolicyError, parse_allow
from scraper.fetch import DEFAULT_USER_AGENT
from scraper.search.providers import PROVIDERS
from scraper.throttle import GLOBAL_CONCURRENCY, HOST_BACKOFF
from scraper.topic import TopicQuery, TopicQueryError

SourceKind = Literal["feed", "sitemap", "page", "article", "search", "site"]
SearchProviderName = Literal["google-news", "gdelt", "bing-news"]
GOOGLE_NEWS_SEARCH = "https://news.google.com/rss/search"


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file, the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def default_database_url() -> str:
    """``newswatch.db`` in the user's data folder (``$XDG_DATA_HOME/newswatch``, else
    ``~/.local/share/newswatch`` on Linux): the daemon and every query find the same database
    wherever they are started."""
    return f"sqlite:///{platformdirs.user_data_path('newswatch') / 'newswatch.db'}"


class DatabaseConfig(_Section):
    # repr=False: a settings object printed whole (a debugger, a crash report) shows no secret.
    url: str = Field(
        default_factory=default_database_url,
        repr=False,
        description="SQLAlchemy URL of the database; default: newswatch.db in "
        "your data folder ($XDG_DATA_HOME/newswatch, else "
        "~/.local/share/newswatch on Linux; `newswatch doctor` says where).",
        json_schema_extra={"shown_default": "sqlite:///<data folder>/newswatch.db"},
    )


class SourceConfig(_Section):
    url: str = Field(
        description="Address of the feed, sitemap, listing page, article or site "
        '(for kind = "search": optional, the search endpoint).'
    )
    kind: SourceKind = Field(
        "feed",
        description="feed | sitemap | page | article | search | "
        "site (a site's robots.txt Sitemap: lines)",
    )
    every: Duration = Field(
        timedelta(minutes=5),
        description="How often the source is polled "
        "at first; the pace then adapts within min_every and max_every.",
    )
    min_every: Duration | None = Field(
        None,
        description="Shortest polling interval, reached "
        "while checks keep finding new articles; default: every/4.",
    )
    max_every: Duration | None = Field(
        None,
        description="Longest polling interval, reached "
        "while checks find nothing new; default: every×4. Set "
        "both to every for a fixed pace.",
    )
    match: str | None = Field(
        None,
        description="kind = page: regular expression an article "
        "link's URL must contain a match for.",
    )
    select: str | None = Field(
        None,
        description="kind = page: CSS selector of the article "
        "links (or of the elements that contain them).",
    )
    provider: SearchProviderName = Field(
        "google-news", description="kind = search: google-news | gdelt | bing-news."
    )
    languages: tuple[str, ...] = Field(
        ("en",), description="kind = search: one search per language (two-letter codes)."
    )
    query: str | None = Field(
        None,
        description="kind = search: the query in the provider's "
        "own syntax; default: translated from [topic] query.",
    )
    endpoint: str | None = Field(
        None,
        description="kind = search: where the provider answers "
        "(a mirror, a proxy, a test server); default: the provider's "
        "own (news.google.com/rss/search, api.gdeltproject.org/api/v2/"
        "doc/doc, www.bing.com/news/search).",
    )
    pace: Duration | None = Field(
        None,
        description="kind = search: least time between two "
        "requests to the provider; default: its own (gdelt: 5s, "
        "others: [fetch] delay).",
    )
    decode_limit: int = Field(
        40,
        ge=0,
        description="kind = search, google-news: links decoded "
        "per poll at most (two requests to Google each); the rest wait "
        "for the next poll. Decoded links are remembered.",
    )
    render: Literal["none", "browser"] = Field(
        "none",
        description="browser: render the "
        "articles this source finds in a browser "
        "before extraction (pages whose text arrives "
        "by script; see [render]).",
    )

    @model_validator(mode="before")
    @classmethod
    def _search_url(cls, data: Any) -> Any:
        # A search source needs no url of its own: it is its endpoint (a url given instead of
        # an endpoint, as older configurations do, is taken as the endpoint).
        if isinstance(data, dict) and data.get("kind") == "search":
            provider = PROVIDERS.get(str(data.get("provider") or "google-news"))
            default = provider().default_endpoint if provider else GOOGLE_NEWS_SEARCH
            endpoint = data.get("endpoint") or data.get("url") or default
            return {**data, "url": endpoint, "endpoint": endpoint}
        return data

    @model_validator(mode="after")
    def _pace_bounds(self) -> SourceConfig:
        low = self.min_every if self.min_every is not None else self.every
        high = self.max_every if self.max_every is not None else self.every
        if not low <= self.every <= high:
            raise ValueError("polling bounds must satisfy min_every <= every <= max_every")
        return self

    @field_validator("url", "endpoint")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("match")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"not a regular expression: {error}") from None
        return value

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2,3}", code):
                raise ValueError(f"{code!r} is not a two-letter language code such as en or tr")
        return value


def _check_topic(value: str) -> str:
    try:
        TopicQuery(value)
    except TopicQueryError as error:
        raise ValueError(str(error)) from None
    return value


class TopicConfig(_Section):
    query: str = Field("", description="Topic query; empty means every article counts.")

    _query_parses = field_validator("query")(_check_topic)


class RecheckTier(_Section):
    younger_than: Duration
    every: Duration


class RecheckConfig(_Section):
    tiers: tuple[RecheckTier, ...] = Field(
        default=tuple(
            RecheckTier(younger_than=tier.younger_than, every=tier.every)
            for tier in NEWSDIFFS_TIERS
        ),
        description="Article recheck tiers by age; older than the last tier: never rechecked.",
    )
    confirm_after: Duration = Field(
        timedelta(minutes=2),
        description="A change that would "
        "remove or replace most of an article, or empty a field "
        "it always had, is fetched again this much later, through "
        "a new connection, and recorded only if seen twice.",
    )

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: tuple[RecheckTier, ...]) -> tuple[RecheckTier, ...]:
        ages = [tier.younger_than for tier in tiers]
        if ages != sorted(ages):
            raise ValueError("tiers must be listed from the youngest to the oldest")
        return tiers


# The kinds storage queues, defined there once: a kind added there is a kind channels accept.
AlertKind = storage.AlertKind
_ALERT_KINDS = ", ".join(typing.get_args(AlertKind))


class AlertConfig(_Section):
    url: str = Field(
        description="console://, jsonl:///path/file.jsonl, "
        "webhook+https://host/path, or any apprise URL.",
        repr=False,
    )
    name: str = Field(
        "",
        max_length=80,
        description="How the channel is called in "
        "`newswatch alerts`, the API, /metrics and the log; default: its URL "
        "(scheme, host, port, path) with the secret parts masked.",
    )
    kinds: tuple[AlertKind, ...] = Field(
        (), description=f"Only these alert kinds ({_ALERT_KINDS}); empty: all."
    )
    classes: tuple[str, ...] = Field(
        (), description="Only edits of these classes (e.g. headline, correction); empty: all."
    )
    outlets: tuple[str, ...] = Field(
        (), description="Only these outlets (host or site name); empty: all."
    )
    topic: str = Field("", description="Only articles that also match this topic query.")
    digest: Duration = Field(
        timedelta(0),
        description="Collect alerts and send one message "
        "per interval (e.g. 30m); 0s: send each at once.",
    )
    template: str = Field(
        "",
        description="Message body template, e.g. "
        "'{kind_words}: {title} ({outlet}) {url} {changes}'.",
    )

    _topic_parses = field_validator("topic")(_check_topic)

    @field_validator("template")
    @classmethod
    def _template_parses(cls, value: str) -> str:
        try:
            return check_template(value)
        except TemplateError as error:
            raise ValueError(str(error)) from None


class FetchConfig(_Section):
    user_agent: str = Field(
        DEFAULT_USER_AGENT,
        description="User-Agent sent with every request: name newswatch and give a contact URL "
        'or e-mail, e.g. "newswatch/0.1 (+https://example.org/newswatch-bot)".',
    )
    timeout: Duration = Field(timedelta(seconds=30), description="Read timeout per request.")
    connect_timeout: Duration = Field(
        timedelta(seconds=10), description="Time allowed to open a connection."
    )
    total_timeout: Duration = Field(
        timedelta(seconds=60), description="Time allowed for one whole request."
    )
    max_redirects: int = Field(10, ge=0, le=30, description="Redirects followed per fetch.")
    max_bytes: int = Field(
        10 * 1024 * 1024, gt=0, description="Largest body accepted (after decompression)."
    )
    concurrency: int = Field(
        GLOBAL_CONCURRENCY, gt=0, le=256, description="Fetches in flight at once, in all."
    )
    per_host: int = Field(
        2,
        gt=0,
        le=64,
        description="Fetches in flight at once per host "
        "when delay is 0s (with a delay: one at a time, delay apart).",
    )
    delay: Duration = Field(
        timedelta(seconds=1),
        description="Minimum gap between two requests "
        "to one host (robots.txt Crawl-delay can raise it).",
    )
    max_wait: Duration = Field(
        timedelta(seconds=30),
        description="Longest politeness wait slept "
        "through; longer (Retry-After, paused host): rescheduled.",
    )
    host_backoff: Duration = Field(
        timedelta(seconds=HOST_BACKOFF),
        description="First pause of a host after a connection error or 5xx; doubles each time.",
    )
    host_backoff_cap: Duration = Field(
        timedelta(hours=1), description="Longest pause of a failing host."
    )
    max_crawl_delay: Duration = Field(
        timedelta(minutes=2), description="Cap on a robots.txt Crawl-delay."
    )
    share_host_delays: bool = Field(
        True,
        description="Daemons sharing the database share "
        "each host's delay, Crawl-delay and Retry-After pauses "
        "through it (off: each daemon paces hosts alone).",
    )
    obey_robots: bool = Field(True, description="Read and obey robots.txt (leave it on).")
    robots_ttl: Duration = Field(timedelta(hours=1), description="How long robots.txt is cached.")
    robots_error_ttl: Duration = Field(
        timedelta(minutes=30),
        description="After robots.txt answered 5xx: disallow-all this long, then ask again.",
    )
    disallowed_retry: Duration = Field(
        timedelta(days=1), description="When a URL robots.txt disallows is looked at again."
    )
    http2: bool = Field(False, description="Use HTTP/2 where offered (needs httpx[http2]).")
    proxy: str | None = Field(
        None,
        description="Proxy for every request, e.g. "
        "http://proxy:3128 or socks5://host:1080; none when unset.",
        repr=False,
    )
    cookies: bool = Field(False, description="Keep cookies between requests (off: none kept).")
    allow_private: bool = Field(
        False,
        description="Fetch from loopback, private, link-local "
        "and unique-local addresses (an intranet); cloud metadata "
        "addresses still need an allow entry.",
    )
    allow: tuple[str, ...] = Field(
        (),
        description="Networks or hosts fetched even when "
        'private, on any port or the one given: "10.0.0.0/8", '
        '"127.0.0.1:8765", "[::1]:8080", "intranet.example", '
        '"*.corp.example".',
    )
    ports: tuple[int, ...] = Field(
        DEFAULT_PORTS, description="Ports fetched on hosts that allow does not name."
    )
    max_retry_after: Duration = Field(
        timedelta(hours=6),
        description="Longest pause a server "
        "can ask for (Retry-After, Crawl-delay backoff); longer "
        "requests are cut to this.",
    )

    @field_validator("allow")
    @classmethod
    def _allow_entries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            try:
                parse_allow(entry)
            except PolicyError as error:
                raise ValueError(str(error)) from None
        return value

    @field_validator("ports")
    @classmethod
    def _tcp_ports(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        for port in value:
            if not 0 < port < 65536:
                raise ValueError(f"{port} is not a TCP port (1-65535)")
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        # Checked here, not at the first fetch: a typo must stop the start, not every request.
        if value is not None and not re.fullmatch(r"(https?|socks5h?)://[^/\s]+/?", value):
            raise ValueError(
                f"{value!r} is not a proxy URL: write http://host:port, "
                "https://host:port or socks5://host:port"
            )
        return value


class DaemonConfig(_Section):
    tick: Duration = Field(
        timedelta(seconds=5),
        description=(
            "How often the daemon looks for due work; while a backlog lasts it claims again as "
            "soon as a pass is done."
        ),
    )
    batch: int = Field(
        32, gt=0, le=10_000, description="Sources and articles claimed per pass (each)."
    )
    lease: Duration = Field(timedelta(minutes=5), description="How long a claim is held.")
    shutdown_grace: Duration = Field(
        timedelta(seconds=20), description="Time in-flight work gets on SIGTERM."
    )
    extract_processes: Annotated[int, Field(ge=0, le=64)] | Literal["auto"] = Field(
        "auto",
        description="Processes that read article pages beside the daemon (extract, judge, "
        "match the topic, fingerprint), so fetching and recording go on meanwhile on another "
        "core; 0 reads them in the daemon itself; auto: one where two or more cores are "
        "usable, else 0.",
    )
    serve: bool = Field(
        True,
        description="Also serve the web page, the API, /healthz and "
        "/metrics on [api] host and port while the daemon runs (from a child "
        "process the daemon restarts if it dies).",
    )
    serve_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="CPU niceness of that web server "
        "process: above 0, a busy server yields the CPU to the daemon's "
        "own work.",
    )


class OutletsConfig(_Section):
    names: dict[str, str] = Field(
        default_factory=dict,
        description="Display names by outlet "
        '(its domain, e.g. "bbc.co.uk" = "BBC News"); default: '
        "the name its pages give (og:site_name…), else the domain.",
    )


class HealthConfig(_Section):
    max_age: Duration = Field(
        timedelta(minutes=30),
        description="`newswatch health`: the "
        "daemon's last fetch must be this recent (its loop ticks).",
    )
    window: Duration = Field(
        timedelta(hours=1),
        description="`newswatch health`: the fetches of this last stretch of time are judged.",
    )
    min_success: float = Field(
        0.2,
        ge=0,
        le=1,
        description="`newswatch health`: at least this "
        "share of those fetches must succeed (errors, 5xx and 429 "
        "fail; 404 and 410 are answers).",
    )
    min_fetches: int = Field(
        10,
        ge=1,
        description="`newswatch health`: with fewer fetches "
        "in the window, their share is not judged.",
    )


class RenderConfig(_Section):
    browser: str = Field(
        "",
        description="Chromium to render pages with (its path); empty: "
        "chromium or google-chrome on the PATH. Needs newswatch[browser].",
    )
    outlets: tuple[str, ...] = Field(
        (),
        description="Outlets (hosts, www. dropped) whose "
        "articles are rendered in the browser before extraction; "
        'sources can ask for it too with render = "browser".',
    )
    timeout: Duration = Field(
        timedelta(seconds=20), description="Time one page may take to render."
    )
    pages: int = Field(
        2, gt=0, le=16, description="Pages rendered at once (one browser per daemon)."
    )
    memory: int = Field(
        512, ge=64, le=8192, description="JavaScript heap of each rendered page, in MB."
    )


class ApiConfig(_Section):
    host: str = Field(
        "127.0.0.1",
        description="Address `newswatch serve` listens on; 0.0.0.0 to serve other machines.",
    )
    port: int = Field(8080, ge=0, le=65535, description="Port of the HTTP API and web page.")
    token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token for the writing "
        "endpoints (add/remove a source); empty: they are off.",
    )
    public_url: str = Field(
        "",
        description="The address readers use, e.g. "
        "https://news.example.org, for the feeds' absolute links; empty: "
        "the address the server listens on (never the request's Host).",
    )
    trusted_hosts: tuple[str, ...] = Field(
        (),
        description="Host names requests may name in "
        'their Host header ("*": any); empty: host, '
        "localhost, 127.0.0.1, ::1 and public_url's host.",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://news.example.org")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError(f"{value!r}: give scheme, host, port and path only")
        return value.rstrip("/")


_LIMITS = storage.Limits()


class LimitsConfig(_Section):
    new_links_per_check: int = Field(
        _LIMITS.candidates.per_check,
        gt=0,
        description="New article URLs one check of one "
        "source may add (in the order it lists them); the rest are dropped, and the source's "
        "last error says how many.",
    )
    new_links_per_source_per_day: int = Field(
        _LIMITS.candidates.per_source_per_day,
        gt=0,
        description="New article URLs one source may add in any 24 hours; the rest are dropped.",
    )
    new_links_per_host_per_day: int = Field(
        _LIMITS.candidates.per_host_per_day,
        gt=0,
        description="New article URLs one host "
        "may get in any 24 hours, from all sources together; the rest are dropped.",
    )
    url_chars: int = Field(
        _LIMITS.candidates.url_chars,
        ge=256,
        le=2048,
        description="Longest article URL taken from a source, or kept as a canonical URL.",
    )
    title_chars: int = Field(
        _LIMITS.fields.title,
        ge=16,
        description="Longest headline kept "
        "(a feed item's title too); longer ones are cut after a whole "
        "word and end in …, so the cut is the same on every fetch.",
    )
    subtitle_chars: int = Field(
        _LIMITS.fields.subtitle,
        ge=16,
        description="Longest subtitle (standfirst) kept, cut the same way.",
    )
    body_chars: int = Field(
        _LIMITS.fields.body, ge=1024, description="Longest article text kept, cut the same way."
    )
    authors: int = Field(
        _LIMITS.fields.authors, gt=0, description="Most author names kept per article."
    )
    name_chars: int = Field(
        _LIMITS.fields.name,
        ge=16,
        description="Longest author name, site name or section kept, cut the same way.",
    )
    versions_per_day: int = Field(
        _LIMITS.versions.per_day,
        gt=1,
        description="Most versions "
        "one article may add in any 24 hours; the next change marks "
        "it churning.",
    )
    snapshot_bytes_per_day: int = Field(
        _LIMITS.versions.snapshot_bytes_per_day,
        ge=0,
        description="Raw page bytes one "
        "article may store in any 24 hours; later versions that day keep their text only.",
    )
    churn_after: int = Field(
        _LIMITS.versions.churn_after,
        gt=1,
        description="Checks in a row "
        "that may each record a new version (live-blog updates aside); "
        "the next change marks the article churning: its versions stop "
        'and one "churning" alert is sent.',
    )
    churn_recheck: Duration = Field(
        _LIMITS.versions.churn_recheck, description="How often a churning article is checked."
    )
    churn_settle: Duration = Field(
        _LIMITS.versions.settle_after,
        description="How long a "
        "churning article's text must stay the same before its "
        "versions are recorded again.",
    )

    def limits(self) -> storage.Limits:
        """The caps as storage and the daemon take them."""
        return storage.Limits(
            candidates=storage.CandidateLimits(
                per_check=self.new_links_per_check,
                per_source_per_day=self.new_links_per_source_per_day,
                per_host_per_day=self.new_links_per_host_per_day,
                url_chars=self.url_chars,
                title_chars=self.title_chars,
            ),
            fields=storage.FieldLimits(
                title=self.title_chars,
                subtitle=self.subtitle_chars,
                body=self.body_chars,
                authors=self.authors,
                name=self.name_chars,
                url=self.url_chars,
            ),
            versions=storage.VersionLimits(
                per_day=self.versions_per_day,
                snapshot_bytes_per_day=self.snapshot_bytes_per_day,
                churn_after=self.churn_after,
                churn_recheck=self.churn_recheck,
                settle_after=self.churn_settle,
            ),
        )


class Settings(BaseSettings):
    """Everything newswatch can be told; built once at the entry point and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSWATCH_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
        frozen=True,
    )

    # A factory: the data folder is looked up when settings are built, not at import.
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    sources: tuple[SourceConfig, ...] = ()
    topic: TopicConfig = TopicConfig()
    recheck: RecheckConfig = RecheckConfig()
    alerts: tuple[AlertConfig, ...] = (AlertConfig(url="console://"),)
    fetch: FetchConfig = FetchConfig()
    daemon: DaemonConfig = DaemonConfig()
    api: ApiConfig = ApiConfig()
    outlets: OutletsConfig = OutletsConfig()
    health: HealthConfig = HealthConfig()
    render: RenderConfig = RenderConfig()
    limits: LimitsConfig = LimitsConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
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
                f"{path}: no such file (create one with `newswatch init {path}`)"
            ) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read it: {error}") from None
    # Editors on Windows may start a UTF-8 file with a byte-order mark, which TOML does not
    # allow; it carries nothing, and refusing the file for it said only "invalid statement".
    text = text.removeprefix("\ufeff")
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{label}: not valid TOML: {error}") from None
    try:
        return Settings(**data)
    except ValidationError as error:
        raise ConfigError(_explain(label, error)) from None
    except SettingsError as error:  # an environment variable that should hold JSON does not
        raise ConfigError(_explain_environment(error)) from None


def _explain_environment(error: SettingsError) -> str:
    found = re.search(r'field "(\w+)"', str(error))
    variable = f"NEWSWATCH_{found.group(1).upper()}" if found else "a NEWSWATCH_* variable"
    reason = f": {error.__cause__}" if error.__cause__ else ""
    return (
        f"environment: {variable} is not valid JSON{reason}. A section or list is written "
        f'as JSON, e.g. NEWSWATCH_SOURCES=\'[{{"url": "https://example.com/rss"}}]\' '
        f'or NEWSWATCH_FETCH=\'{{"delay": "2s"}}\'; one key is NEWSWATCH_FETCH_DELAY=2s'
    )


def _explain(label: str, error: ValidationError) -> str:
    lines = [f"{label}: {error.error_count()} problem(s) in the configuration"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see `newswatch init` for every key)"
        elif problem["type"] == "literal_error":
            message = f"{message} (got {problem.get('input')!r})"
        # A message may quote the value, and the value may be a URL with its password.
        lines.append(f"  {key}: {scrub(message)}{_from_environment(problem['loc'])}")
    return "\n".join(lines)


def _from_environment(loc: tuple[int | str, ...]) -> str:
    """Where the environment set the key at ``loc`` (it overrides the file): say so, or the
    file would be blamed for a value it does not hold."""
    for depth in range(len(loc), 0, -1):
        variable = "NEWSWATCH_" + "_".join(str(part) for part in loc[:depth]).upper()
        if variable in os.environ:
            return f" (set by the environment variable {variable})"
    return ""
