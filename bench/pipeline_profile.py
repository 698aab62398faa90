"""Where a daemon's time goes: a cProfile dump folded into fetch / extract / record / wait / other.

Own time (``tottime``) partitions the profiled time exactly, so the groups add up to the total.
A function is put in a group by the file it lives in; a C built-in (``re``, ``sqlite3``,
``str.join``…) has no file of its own, so its time goes to the groups of its callers, split
the way cProfile measured each caller's share.
"""

from __future__ import annotations

import pstats
from collections import defaultdict
from pathlib import Path

Func = tuple[str, int, str]

# Checked in order; the first match wins. Paths are matched with "/" on both sides.
_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    # An idle thread of a pool waits on its queue (put, on the loop's side, is the hand-over).
    ("wait", ("select.epoll", "select.select", "<method 'get' of '_queue.SimpleQueue'")),
    (
        "extract",
        ("/scraper/extract/", "/selectolax/", "/scheduler/article_fields.py", "/scraper/topic.py"),
    ),
    (
        "fetch",
        (
            "/httpx/",
            "/httpcore/",
            "/h11/",
            "/anyio/",
            "/sniffio/",
            "/scraper/fetch.py",
            "/scraper/polite.py",
            "/scraper/throttle.py",
            "/scraper/robots.py",
            "/scraper/decompression.py",
            "/scraper/charset.py",
            "/scraper/redirects.py",
            "/scraper/types.py",
            "/protego",
            "/charset_normalizer/",
            "/asyncio/selector_events",
            "/asyncio/streams",
            "/ssl.py",
            "/socket.py",
            "/idna/",
            "/rfc3986",
            "'_socket.",
            "/scraper/explore.py",
            "/scraper/discover.py",
        ),
    ),
    (
        "record",
        (
            "/storage/",
            "/sqlalchemy/",
            "/sqlmodel/",
            "'sqlite3.",
            "/psycopg",
            "/datasketch/",
            "/numpy/",
            "/scipy/",
            "/zstandard/",
            "zstd",
            "/scheduler/fetchlog.py",
            "/scheduler/policy.py",
        ),
    ),
    ("logging", ("/logging/", "/newswatch/logs.py")),
]
GROUPS = [name for name, _ in _GROUPS] + ["other"]


def _group_of_file(func: Func) -> str | None:
    """The group of a Python function, ``None`` for a C built-in (decided by its callers)."""
    filename, _, name = func
    text = f"{filename.replace(chr(92), '/')}:{name}"
    for group, needles in _GROUPS:
        if any(n in text for n in needles):
            return group
    return None if filename == "~" else "other"


def label(func: Func) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("site-packages", "main", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    return f"{'/'.join(parts[-3:])}:{line}({name})"


class Profile:
    def __init__(self, path: Path) -> None:
        self.stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
        self.total = sum(entry[2] for entry in self.stats.values())
        self._groups: dict[Func, str] = {}

    def group(self, func: Func, depth: int = 0) -> str:
        """The group of ``func``; a built-in takes the group its time mostly came from."""
        if func in self._groups:
            return self._groups[func]
        found = _group_of_file(func)
        if found is None:
            shares = self._shares(func, depth)
            found = max(shares, key=shares.__getitem__) if shares else "other"
        self._groups[func] = found
        return found

    def _shares(self, func: Func, depth: int) -> dict[str, float]:
        shares: dict[str, float] = defaultdict(float)
        if depth > 8:
            return shares
        for caller, edge in self.stats[func][4].items():
            shares[self.group(caller, depth + 1) if caller in self.stats else "other"] += edge[2]
        return shares

    def by_group(self) -> dict[str, float]:
        """Own seconds per group; built-ins split across their callers' groups."""
        totals: dict[str, float] = defaultdict(float)
        for func, (_, _, tottime, _, callers) in self.stats.items():
            if _group_of_file(func) is not None:
                totals[self.group(func)] += tottime
                continue
            edge_total = sum(edge[2] for edge in callers.values())
            if not edge_total:
                totals[self.group(func)] += tottime
                continue
            for caller, edge in callers.items():
                owner = self.group(caller) if caller in self.stats else "other"
                totals[owner] += tottime * edge[2] / edge_total
        return {name: totals.get(name, 0.0) for name in GROUPS}

    def top(self, n: int, *, key: int = 2) -> list[tuple[Func, float, float, int]]:
        """(function, own s, cumulative s, calls) of the top ``n`` by own (2) or cumulative (3)."""
        rows = sorted(self.stats.items(), key=lambda item: item[1][key], reverse=True)[:n]
        return [(func, entry[2], entry[3], entry[1]) for func, entry in rows]

    def find(self, file: str, function: str) -> float:
        """Cumulative seconds of ``function`` defined in a file whose path contains ``file``."""
        return max(
            (
                entry[3]
                for (filename, _, name), entry in self.stats.items()
                if name == function and file in filename.replace("\\", "/")
            ),
            default=0.0,
        )


# storage.record's parts, on the event loop's thread or the batch writer's.
_RECORD: tuple = (
    "storage.record",
    "storage/record.py",
    "record",
    [
        (
            "story placement (band lookup, rows)",
            "storage/syndication.py",
            "place_article",
            [],
        ),
        # Zero where the extraction process signed the body (scheduler.reading).
        ("MinHash signature", "storage/minhash.py", "sign", []),
        (
            "append_version (diff, search)",
            "storage/versions.py",
            "append_version",
            [],
        ),
        ("alert queued", "storage/record.py", "_queue", []),
        ("snapshot (zstd)", "storage/snapshots.py", "store_snapshot", []),
        # Zero where the extraction process digested the fields (scheduler.reading).
        ("fingerprint", "storage/fingerprint.py", "fingerprint", []),
        ("lock the article row", "storage/article_core.py", "lock_article_row", []),
    ],
)
# The path of one item, as (label, file, function, children); cumulative seconds of each.
# Rows whose function does not appear in a profile are left out (e.g. extract() on a 304).
_TREE: list[tuple] = [
    (
        "work one article (Worker.check_article)",
        "scheduler/worker.py",
        "check_article",
        [
            (
                "fetch (PoliteFetcher.fetch)",
                "scraper/polite.py",
                "fetch",
                [
                    ("HTTP request (httpx/httpcore)", "httpx/_client.py", "send", []),
                ],
            ),
            ("extract()", "scraper/extract/core.py", "extract", []),
            # With an extraction process: sending the page and awaiting what it says.
            ("extraction process (sent, awaited)", "scheduler/extraction.py", "read", []),
            (
                "record (Worker._record)",
                "scheduler/worker.py",
                "_record",
                [
                    (
                        "unchanged: storage.record_if_unchanged",
                        "storage/record.py",
                        "record_if_unchanged",
                        [],
                    ),
                    _RECORD,
                ],
            ),
            ("reschedule (Worker._reschedule)", "scheduler/worker.py", "_reschedule", []),
        ],
    ),
    # On the batch writer's thread (its own profile): the recordings of a batch.
    (
        "a batch of recordings (BatchWriter._write_all)",
        "scheduler/batch_writer.py",
        "_write_all",
        [("write_page", "scheduler/recording.py", "write_page", [_RECORD])],
    ),
    (
        "the pass's 304s (record_not_modified_many)",
        "storage/lifecycle.py",
        "record_not_modified_many",
        [],
    ),
    ("fetch log lines (flushed per pass)", "scheduler/fetchlog.py", "flush", []),
    ("claim a batch (claim_due_articles)", "storage/frontier.py", "claim_due_articles", []),
    # Connection-level: counts the session transactions and the Core write connections alike.
    ("every COMMIT (all transactions above)", "sqlalchemy/engine/base.py", "_commit_impl", []),
    ("waiting for the database server (psycopg)", "psycopg/connection.py", "wait", []),
]


def report(path: Path, title: str, items: int, *, top: int = 15) -> list[str]:
    """Printable lines: the path of one item, the group split, and the top functions."""
    profile = Profile(path)
    total = profile.total or 1e-9
    per = max(items, 1)
    lines = [
        f"{title}: {items} items, {profile.total:.2f} s profiled = "
        f"{profile.total / per * 1000:.2f} ms/item (cProfile slows Python code ≈ 1.5-2×; "
        "read the shares, not the milliseconds)"
    ]

    def walk(nodes: list[tuple], depth: int) -> None:
        for name, file, function, children in nodes:
            seconds = profile.find(file, function)
            if seconds <= 0:
                continue
            lines.append(
                f"  {'  ' * depth}{name:<{46 - 2 * depth}} {seconds / per * 1000:>7.2f} "
                f"ms/item {seconds / total:>5.0%}"
            )
            walk(children, depth + 1)

    lines.append(f"  {'cumulative (nested rows are part of the row above)':<46} {'':>15} share")
    walk(_TREE, 0)
    groups = profile.by_group()
    lines.append(
        "  own time by group: "
        + ", ".join(f"{name} {seconds / total:.0%}" for name, seconds in groups.items())
    )
    lines.append(f"  top {top} by own time:  {'own s':>6} {'cum s':>6} {'calls':>7}  group")
    for func, own, cum, calls in profile.top(top):
        lines.append(
            f"    {label(func)[:62]:<62} {own:>6.2f} {cum:>6.2f} {calls:>7}  {profile.group(func)}"
        )
    return lines
