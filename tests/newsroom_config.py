"""The configuration file the tests give a daemon watching the newsroom.

Every test that starts ``newswatch`` as a process writes the same core: a database, the
newsroom's feed as the one source, no topic filter, one recheck tier (the stories carry 2025
dates), a jsonl alert channel, and the newsroom's address (only its port) in ``[fetch] allow``,
since the address guard refuses loopback by default. Each test adds its own sections as TOML
text; its own ``[fetch]`` section gets the allow line too.
"""

from __future__ import annotations

from pathlib import Path

from newswatch.newsroom import Newsroom


def write_newsroom_config(
    room: Newsroom,
    folder: Path,
    *,
    database_url: str | None = None,
    source_every: str = "5m",
    recheck_every: str | None = "15m",
    extra: str = "",
) -> Path:
    """Write ``folder``/newswatch.toml; ``extra`` is appended as it is."""
    recheck = (
        f'\n[recheck]\ntiers = [ {{ younger_than = "3650d", every = "{recheck_every}" }} ]\n'
        if recheck_every is not None
        else ""
    )
    allow = f'allow = ["{room.address}"]\n'
    if "[fetch]\n" in extra:
        extra = extra.replace("[fetch]\n", "[fetch]\n" + allow, 1)
    else:
        extra += "\n[fetch]\n" + allow
    config = folder / "newswatch.toml"
    config.write_text(
        f"""
[database]
url = "{database_url or f"sqlite:///{folder / 'newswatch.db'}"}"

[[sources]]
url = "{room.base_url}/feed.xml"
kind = "feed"
every = "{source_every}"

[topic]
query = ""
{recheck}
[[alerts]]
url = "jsonl://{folder / "alerts.jsonl"}"
{extra}""",
        encoding="utf-8",
    )
    return config
