"""Machine-readable listings: RSS 2.0, Atom, sitemaps and robots.txt.

All of them list live articles only, newest first, and are deterministic for a given catalog
state, so the router can use a hash of the body as their ETag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from newswatch.newsroom.catalog import Article
from newswatch.newsroom.outlets import outlet_of

SITE_TITLE = "Newsroom"
SITEMAPS = ("/sitemap.xml", "/sitemap-news.xml")


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def rss(articles: Sequence[Article], base_url: str, updated: datetime) -> str:
    """RSS 2.0 with dc:creator per item."""
    items = []
    for a in articles:
        s = a.story
        url = base_url + s.path
        creators = "".join(f"<dc:creator>{escape(n)}</dc:creator>" for n in s.authors)
        categories = "".join(f"<category>{escape(t)}</category>" for t in s.tags)
        items.append(
            f"<item><title>{escape(s.title)}</title><link>{escape(url)}</link>"
            f'<guid isPermaLink="true">{escape(url)}</guid>'
            f"<pubDate>{format_datetime(s.published)}</pubDate>"
            f"<description>{escape(s.subtitle)}</description>{creators}{categories}</item>"
        )
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{SITE_TITLE}</title>
<link>{escape(base_url)}/</link>
<description>Latest news</description>
<language>en</language>
<lastBuildDate>{format_datetime(updated.astimezone(UTC), usegmt=True)}</lastBuildDate>
<atom:link href={quoteattr(base_url + "/feed.xml")} rel="self" type="application/rss+xml"/>
{body}
</channel>
</rss>
"""


def atom(articles: Sequence[Article], base_url: str, updated: datetime) -> str:
    """Atom 1.0 with per-entry <updated> from the last visible change."""
    entries = []
    for a in articles:
        s = a.story
        url = base_url + s.path
        authors = "".join(f"<author><name>{escape(n)}</name></author>" for n in s.authors)
        entries.append(
            f"<entry><title>{escape(s.title)}</title>"
            f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>'
            f"<id>{escape(url)}</id><published>{_w3c(s.published)}</published>"
            f"<updated>{_w3c(a.modified_at)}</updated>{authors}"
            f"<summary>{escape(s.subtitle)}</summary></entry>"
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{SITE_TITLE}</title>
<id>{escape(base_url)}/</id>
<link rel="alternate" href={quoteattr(base_url + "/")}/>
<link rel="self" href={quoteattr(base_url + "/atom.xml")}/>
<updated>{_w3c(updated)}</updated>
{body}
</feed>
"""


def sitemap(articles: Sequence[Article], base_url: str) -> str:
    """A urlset with <lastmod> from each article's last visible change."""
    urls = "\n".join(
        f"<url><loc>{escape(base_url + a.story.path)}</loc>"
        f"<lastmod>{_w3c(a.modified_at)}</lastmod></url>"
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""


def news_sitemap(articles: Sequence[Article], base_url: str) -> str:
    """A Google News sitemap (news:publication, news:publication_date, news:title)."""
    urls = []
    for a in articles:
        s = a.story
        urls.append(
            f"<url><loc>{escape(base_url + s.path)}</loc><news:news><news:publication>"
            f"<news:name>{escape(outlet_of(s.outlet).name)}</news:name>"
            f"<news:language>{s.lang}</news:language></news:publication>"
            f"<news:publication_date>{_w3c(s.published)}</news:publication_date>"
            f"<news:title>{escape(s.title)}</news:title></news:news></url>"
        )
    body = "\n".join(urls)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" \
xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{body}
</urlset>
"""


def sitemap_index(base_url: str, updated: datetime) -> str:
    """A sitemap index pointing at the two sitemaps (served at /sitemap-index.xml)."""
    entries = "\n".join(
        f"<sitemap><loc>{escape(base_url + p)}</loc><lastmod>{_w3c(updated)}</lastmod></sitemap>"
        for p in SITEMAPS
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{entries}
</sitemapindex>
"""


def robots(base_url: str) -> str:
    """robots.txt that allows everything and names the sitemaps."""
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [f"Sitemap: {base_url}{p}" for p in SITEMAPS]
    return "\n".join(lines) + "\n"
