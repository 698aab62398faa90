"""The site bench/pipeline.py serves: real news pages under N distinct URLs, and their sitemaps.

The pages are the 85 real pages of the extraction benchmark (median ≈ 109 KB, the median size
of real news pages), cycled under ``/a/00000.html`` … so that fetch, decode and extract cost
what they cost on the web. Pre-rendered newsroom pages were the other option; they are small
and regular, so extraction would look cheaper than it is.

Copies beyond the first 85 get their visible text letter-scrambled (a different permutation of
a-z and A-Z per copy, applied to text between tags, never to markup, scripts, styles or
entities). Same structure, same lengths, same word boundaries, so extraction does the same
work; but the words differ, so no two copies share 3-word shingles. Unscrambled, the store
would file every copy as a syndicated duplicate of the first (one story with N/85 members
each), which is not what a newsroom's own articles look like and would make recording slower
than real. JSON-LD and meta tags are left as they are (they are markup).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
import string
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DEV_DIR = Path(__file__).resolve().parents[1].parent / "shared/bench/aeb-dev"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
# Markup, scripts, styles, comments and entities: everything the scrambler must not touch.
_MARKUP = re.compile(
    r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->"
    r"|<[^>]*>|&#?\w+;)",
    re.S | re.I,
)
_SEP = "\x00"  # never in a page's text: joins the text runs so one translate() does them all


@dataclass(frozen=True, slots=True)
class Site:
    root: Path
    count: int  # article pages written
    page_sizes: list[int]  # bytes of the 85 source pages
    total_bytes: int  # bytes of all article pages

    def path_of(self, i: int) -> str:
        return f"/a/{i:05d}.html"


def _source_pages(dev_dir: Path) -> list[str]:
    truth = json.loads((dev_dir / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        gzip.decompress((dev_dir / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        for key in sorted(truth)
    ]


def _scrambler(copy: int) -> dict[int, int]:
    rng = random.Random(copy)
    lower, upper = list(string.ascii_lowercase), list(string.ascii_uppercase)
    rng.shuffle(lower)
    rng.shuffle(upper)
    return str.maketrans(
        string.ascii_lowercase + string.ascii_uppercase, "".join(lower) + "".join(upper)
    )


def build_site(
    root: Path, count: int, base_urls: list[str], *, first: int = 0, dev_dir: Path = DEFAULT_DEV_DIR
) -> Site:
    """Write ``count`` article pages, robots.txt, a sitemap (an index beyond 50,000 URLs)
    for each base URL, one of the ``first`` pages only (the profiled run), and the small
    sitemap the memory bench's sources read."""
    pages = _source_pages(dev_dir)
    split = [_MARKUP.split(page) for page in pages]  # even items: text; odd: markup
    (root / "a").mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        parts = split[i % len(pages)]
        if i < len(pages):
            html = pages[i]
        else:
            texts = _SEP.join(parts[0::2]).translate(_scrambler(i)).split(_SEP)
            merged = parts[:]
            merged[0::2] = texts
            html = "".join(merged)
        data = html.encode("utf-8")
        total += len(data)
        (root / "a" / f"{i:05d}.html").write_bytes(data)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="ascii")
    for base in base_urls:
        _write_sitemaps(root, base, count)
        urls = [f"{base}/a/{i:05d}.html" for i in range(min(first, count))]
        (root / sitemap_name(base, first=True)).write_text(_urlset(urls), encoding="utf-8")
    small = [f"{base_urls[0]}/a/{i:05d}.html" for i in range(min(count, 20))]
    (root / "small-sitemap.xml").write_text(_urlset(small), encoding="utf-8")
    return Site(
        root=root, count=count, page_sizes=[len(p.encode()) for p in pages], total_bytes=total
    )


def sitemap_name(base: str, *, first: bool = False) -> str:
    """One sitemap tree per port: the URLs in it must name the port the source is on."""
    return f"sitemap-{base.rsplit(':', 1)[-1]}{'-first' if first else ''}.xml"


def _write_sitemaps(root: Path, base: str, count: int) -> None:
    urls = [f"{base}/a/{i:05d}.html" for i in range(count)]
    name = sitemap_name(base)
    if count <= SITEMAP_LIMIT:
        (root / name).write_text(_urlset(urls), encoding="utf-8")
        return
    children = []
    for n, start in enumerate(range(0, count, SITEMAP_LIMIT)):
        child = name.replace(".xml", f"-{n}.xml")
        (root / child).write_text(_urlset(urls[start : start + SITEMAP_LIMIT]), encoding="utf-8")
        children.append(f"<sitemap><loc>{base}/{child}</loc></sitemap>")
    (root / name).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
        '"http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(children) + "</sitemapindex>",
        encoding="utf-8",
    )


def _urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{url}</loc></url>\n" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
        f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    )


def describe(site: Site) -> str:
    sizes = site.page_sizes
    return (
        f"{site.count:,} article pages from {len(sizes)} real pages (sizes: median "
        f"{statistics.median(sizes) / 1000:.0f} kB, min {min(sizes) / 1000:.0f} kB, max "
        f"{max(sizes) / 1000:.0f} kB); {site.total_bytes / 1e6:.0f} MB in all"
    )
