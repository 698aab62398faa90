"""Reading a backfill file for ``newswatch import``: a list of URLs or a sitemap.

A backfill is a burst of articles the daemon has never seen: an outlet's sitemap archive, an
export of links from another tool. The file is read here, without the network, into
canonical candidate URLs; the daemon then fetches, extracts and records them as it does any
due article. What cannot be used is counted and shown, never silently dropped.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import storage
from scraper import DiscoveryError, Page
from scraper.discover import parse_sitemap
from scraper.urls import InvalidURL, canonicalize_url

# A gzipped file is read up to this many bytes once unpacked (a sitemap holds at most 50,000
# URLs, about 10 MB; a list of URLs may be longer): a bomb stops here with an error.
MAX_BYTES = 512 * 2**20


class ImportFileError(ValueError):
    """A backfill file that cannot be read; the message names the file and what to do."""


@dataclass(frozen=True, slots=True)
class Backfill:
    """The usable URLs of a backfill file, in its order, and what was left out."""

    kind: str  # "urls" or "sitemap"
    candidates: tuple[storage.Candidate, ...]
    rejected: tuple[str, ...]  # lines or <loc> values that are not http(s) URLs


def read_backfill(path: Path) -> Backfill:
    """The article URLs in ``path``: a sitemap (urlset, ``.xml`` or ``.xml.gz``) or a text file
    with one URL per line (blank lines and ``#`` comments skipped)."""
    data = _read(path)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        return _sitemap(path, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path}: neither a sitemap nor a UTF-8 list of URLs (byte {error.start} is not "
            "UTF-8); give a sitemap file or a text file with one URL per line"
        ) from None
    lines = [line.strip() for line in text.splitlines()]
    return _backfill("urls", [line for line in lines if line and not line.startswith("#")])


def _read(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: a folder; give a file of URLs or a sitemap") from None
    except OSError as error:
        raise ImportFileError(f"{path}: cannot be read ({error.strerror})") from None
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unpacked:
            data = unpacked.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ImportFileError(f"{path}: a damaged gzip file ({error})") from None
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"{path}: unpacks to more than {MAX_BYTES // 2**20} MB; split it")
    return data


def _sitemap(path: Path, data: bytes) -> Backfill:
    url = path.resolve().as_uri()
    page = Page(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "application/xml"},
        body=data,
        content_type="application/xml",
        elapsed=0.0,
    )
    try:
        found = parse_sitemap(page)
    except DiscoveryError as error:
        raise ImportFileError(f"{path}: {error}") from None
    if found.sitemaps:
        listed = "\n  ".join(found.sitemaps[:5])
        raise ImportFileError(
            f"{path}: a sitemap index; its {len(found.sitemaps)} sitemaps are on the web:\n"
            f"  {listed}\nimport each of them as a file, or add the index as a source "
            "(newswatch sources add URL --kind sitemap)"
        )
    return _backfill("sitemap", [link.url for link in found.links])


def _backfill(kind: str, urls: list[str]) -> Backfill:
    candidates: dict[str, storage.Candidate] = {}
    rejected: list[str] = []
    for url in urls:
        canonical = _canonical(url)
        if canonical is None:
            rejected.append(url)
        else:
            candidates.setdefault(canonical, storage.Candidate(url=canonical))
    return Backfill(kind, tuple(candidates.values()), tuple(rejected))


def _canonical(url: str) -> str | None:
    if any(c.isspace() for c in url):  # two URLs on a line, or words: not one URL
        return None
    try:
        return canonicalize_url(url)
    except InvalidURL:
        return None
