"""HTML pages: three article layouts built like real news pages, the index and error pages.

Pages carry the clutter real sites have (menus, share buttons, cookie banners, newsletter boxes,
related links, "updated N minutes ago") because that clutter is what the extractor must ignore.
Some of it changes on every request on purpose (the updated line, the readers counter, a form
token, the order of related links); none of it is part of the article.
"""

from __future__ import annotations

import html
import json
import secrets
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from newswatch.newsroom.catalog import Article
from newswatch.newsroom.cosmetic import variant
from newswatch.newsroom.outlets import OUTLETS, Outlet, Phrases, outlet_of
from newswatch.newsroom.stories import Story, heading_text, is_subheading


@dataclass(frozen=True)
class PageContext:
    """Per-request inputs to a page: where the site lives, what time it is, which request."""

    base_url: str
    now: datetime
    seq: int


def _t(text: str) -> str:
    return html.escape(text, quote=False)


def _a(text: str) -> str:
    return html.escape(text, quote=True)


def _abs(base_url: str, path: str) -> str:
    return base_url + path if path.startswith("/") else path


def names(authors: Sequence[str], and_: str) -> str:
    """Join author names the way bylines do: "A and B", "A, B and C"."""
    if len(authors) <= 1:
        return "".join(authors)
    return f"{', '.join(authors[:-1])} {and_} {authors[-1]}"


def _json_ld(article: Article, outlet: Outlet, ctx: PageContext) -> str:
    story = article.story
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": ctx.base_url + story.path,
        "headline": story.title,
        "description": story.subtitle,
        "inLanguage": story.lang,
        "articleSection": story.section,
        "keywords": list(story.tags),
        "datePublished": story.published.isoformat(),
        "dateModified": article.modified_at.isoformat(),
        "publisher": {
            "@type": "Organization",
            "name": outlet.name,
            "logo": {"@type": "ImageObject", "url": ctx.base_url + f"/static/{outlet.key}.png"},
        },
    }
    if story.authors:  # a page with no byline has no author object either (like the seed page)
        data["author"] = [{"@type": "Person", "name": a} for a in story.authors]
    if story.image:
        data["image"] = [_abs(ctx.base_url, story.image)]
    # "</" must not close the script element early.
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _head(article: Article, outlet: Outlet, ctx: PageContext) -> str:
    story = article.story
    url = ctx.base_url + story.path
    meta = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(story.title)} | {_t(outlet.name)}</title>",
        f'<link rel="canonical" href="{_a(url)}">',
        f'<meta name="description" content="{_a(story.subtitle)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{_a(story.title)}">',
        f'<meta property="og:description" content="{_a(story.subtitle)}">',
        f'<meta property="og:url" content="{_a(url)}">',
        f'<meta property="og:site_name" content="{_a(outlet.name)}">',
        f'<meta property="og:locale" content="{story.lang}">',
        f'<meta property="article:published_time" content="{story.published.isoformat()}">',
        f'<meta property="article:modified_time" content="{article.modified_at.isoformat()}">',
        f'<meta property="article:section" content="{_a(story.section)}">',
        '<meta name="twitter:card" content="summary_large_image">',
    ]
    meta += [f'<meta property="article:tag" content="{_a(tag)}">' for tag in story.tags]
    if story.image:
        meta.append(f'<meta property="og:image" content="{_a(_abs(ctx.base_url, story.image))}">')
    if story.authors:
        meta.append(f'<meta name="author" content="{_a(", ".join(story.authors))}">')
    meta.append(f'<link rel="stylesheet" href="/static/{outlet.key}.css">')
    meta.append(_json_ld(article, outlet, ctx))
    return "<head>\n" + "\n".join(meta) + "\n</head>"


def _body(article: Article, heading: str, klass: str) -> str:
    blocks = []
    for entry in article.story.body:
        if is_subheading(entry):
            blocks.append(f"<{heading}>{_t(heading_text(entry))}</{heading}>")
        else:
            blocks.append(f"<p>{_t(variant(entry, article.touches))}</p>")
    return f'<div class="{klass}">\n' + "\n".join(blocks) + "\n</div>"


def _nav(outlet: Outlet) -> str:
    items = "".join(
        f'<li><a href="/{outlet.lang}/rubric/{i}/">{_t(n)}</a></li>'
        for i, n in enumerate(outlet.nav, 1)
    )
    return f'<nav class="menu"><ul>{items}</ul></nav>'


def _share(url: str, p: Phrases) -> str:
    return (
        f'<div class="share"><span>{_t(p.share)}</span>'
        f'<a href="https://www.facebook.com/sharer/sharer.php?u={_a(url)}">Facebook</a>'
        f'<a href="https://x.com/intent/post?url={_a(url)}">X</a>'
        f'<a href="https://t.me/share/url?url={_a(url)}">Telegram</a></div>'
    )


def _newsletter(p: Phrases) -> str:
    # The form token is new on every request, like a CSRF token on a real site.
    return (
        f'<aside class="newsletter"><h3>{_t(p.newsletter)}</h3><p>{_t(p.newsletter_note)}</p>'
        f'<form action="/newsletter" method="post"><input type="email" name="email">'
        f'<input type="hidden" name="token" value="{secrets.token_hex(8)}">'
        f"<button>{_t(p.subscribe)}</button></form></aside>"
    )


def _related(outlet: Outlet, article: Article, ctx: PageContext) -> str:
    # Rotated by the request number: a different order on each request, never an edit.
    links = list(outlet.related)
    k = (ctx.seq + article.touches) % len(links)
    links = links[k:] + links[:k]
    items = "".join(f'<li><a href="{_a(p)}">{_t(t)}</a></li>' for p, t in links)
    return f'<aside class="related"><h3>{_t(outlet.phrases.related)}</h3><ul>{items}</ul></aside>'


def _updated(article: Article, ctx: PageContext, p: Phrases) -> str:
    minutes = max(0, int((ctx.now - article.modified_at).total_seconds() // 60))
    readers = p.readers.format(n=1200 + ctx.seq)
    return (
        f'<p class="updated"><time datetime="{article.modified_at.isoformat()}">'
        f"{_t(p.ago(minutes))}</time> · <span>{_t(readers)}</span></p>"
    )


def _comments(story: Story, p: Phrases) -> str:
    n = zlib.crc32(story.slug.encode()) % 90 + 3
    return f'<div class="comments"><a href="#comments">{_t(p.comments.format(n=n))}</a></div>'


def _cookies(p: Phrases) -> str:
    return (
        f'<div class="cookie-banner" role="dialog"><p>{_t(p.cookies)} '
        f'<a href="/privacy">Privacy</a></p><button>{_t(p.accept)}</button></div>'
    )


def _footer(outlet: Outlet) -> str:
    return (
        f'<footer class="site-footer"><p>© 2025 {_t(outlet.name)}. '
        f"{_t(outlet.phrases.rights)}</p>"
        '<ul><li><a href="/about">About</a></li><li><a href="/privacy">Privacy</a></li>'
        '<li><a href="/contact">Contact</a></li></ul></footer>'
    )


def _figure(story: Story, ctx: PageContext, caption: str) -> str:
    if not story.image:
        return ""
    src = _a(_abs(ctx.base_url, story.image))
    return f'<figure class="photo"><img src="{src}" alt="{_a(story.caption)}">{caption}</figure>'


def _time(story: Story, p: Phrases) -> str:
    return f'<time datetime="{story.published.isoformat()}">{_t(p.date(story.published))}</time>'


def _classic(article: Article, outlet: Outlet, ctx: PageContext) -> str:
    story, p = article.story, outlet.phrases
    by = p.by_one if len(story.authors) == 1 else p.by
    byline = f"{_t(by)} {_t(names(story.authors, p.and_))}" if story.authors else ""
    credit = f' <span class="credit">{_t(story.credit)}</span>' if story.credit else ""
    return f"""<body class="article-page">
<header class="site-header"><a class="logo" href="/">{_t(outlet.name)}</a>{_nav(outlet)}</header>
<ol class="breadcrumb"><li><a href="/">{_t(p.home)}</a></li><li>{_t(story.section)}</li></ol>
<main><article>
<h1>{_t(story.title)}</h1>
<p class="standfirst">{_t(story.subtitle)}</p>
<div class="byline"><span class="author">{byline}</span> {_time(story, p)}</div>
{_updated(article, ctx, p)}
{_figure(story, ctx, f"<figcaption>{_t(story.caption)}{credit}</figcaption>")}
{_body(article, "h2", "article-body")}
{_share(ctx.base_url + story.path, p)}
</article>
{_newsletter(p)}
{_related(outlet, article, ctx)}
{_comments(story, p)}
</main>
{_footer(outlet)}
{_cookies(p)}
</body>"""


def _voza(article: Article, outlet: Outlet, ctx: PageContext) -> str:
    story, p = article.story, outlet.phrases
    # Caption twice, the second time with the agency glued on ("…Turkey.AFP"), as on voz.us.
    caption = (
        f'<p class="media-description">{_t(story.caption)}</p>'
        f"<figcaption>{_t(story.caption)}<span>{_t(story.credit)}</span></figcaption>"
    )
    authors = ", ".join(f'<a href="/en/authors/">{_t(a)}</a>' for a in story.authors)
    tags = "".join(f'<a class="tag" href="/en/tags/">{_t(t)}</a>' for t in story.tags)
    return f"""<body>
{_cookies(p)}
<header><a class="brand" href="/"><span>Voza media US</span> <span>Voza.us</span></a>
{_nav(outlet)}</header>
<main class="container"><article class="post">
<h1 class="post-title">{_t(story.title)}</h1>
<h2 class="post-subtitle">{_t(story.subtitle)}</h2>
{_figure(story, ctx, caption)}
<div class="post-author">Published by {authors or '<a href="/en/authors/"></a>'}
{_time(story, p)}</div>
{_updated(article, ctx, p)}
{_body(article, "h2", "post-content")}
<div class="tags">{tags}</div>
{_share(ctx.base_url + story.path, p)}
</article>
{_newsletter(p)}
{_related(outlet, article, ctx)}
</main>
{_footer(outlet)}
<div class="trk"><img src="/pixel.gif" alt="" width="1" height="1">tracking</div>
</body>"""


def _vestnik(article: Article, outlet: Outlet, ctx: PageContext) -> str:
    story, p = article.story, outlet.phrases
    by = p.by_one if len(story.authors) == 1 else p.by
    credit = f"<span>Фото: {_t(story.credit)}</span>" if story.credit else ""
    return f"""<body class="page">
<div class="top"><a class="top__logo" href="/">{_t(outlet.name)}</a>{_nav(outlet)}</div>
<main class="layout"><div class="material">
<div class="material__crumbs"><a href="/">{_t(p.home)}</a> / <a href="#">{_t(story.section)}</a>
</div>
<div class="material__date">{_time(story, p)}</div>
<h1 class="material__title">{_t(story.title)}</h1>
<div class="material__lead">{_t(story.subtitle)}</div>
{_figure(story, ctx, f"<figcaption>{_t(story.caption)} {credit}</figcaption>")}
{_updated(article, ctx, p)}
{_body(article, "h3", "material__text")}
<div class="material__authors">{_t(by)} {_t(names(story.authors, p.and_))}</div>
{_share(ctx.base_url + story.path, p)}
{_comments(story, p)}
</div>
<div class="sidebar">{_related(outlet, article, ctx)}{_newsletter(p)}</div>
</main>
{_cookies(p)}
{_footer(outlet)}
</body>"""


LAYOUTS: dict[str, Callable[[Article, Outlet, PageContext], str]] = {
    "classic": _classic,
    "voza": _voza,
    "vestnik": _vestnik,
}


def article_page(article: Article, ctx: PageContext) -> str:
    """The full HTML page of a live article."""
    outlet = outlet_of(article.story.outlet)
    body = LAYOUTS[outlet.layout](article, outlet, ctx)
    head = _head(article, outlet, ctx)
    return f'<!DOCTYPE html>\n<html lang="{article.story.lang}">\n{head}\n{body}\n</html>\n'


def index_page(articles: Sequence[Article]) -> str:
    """The front page: links to live articles, newest first (deterministic, so it has an ETag)."""
    items = "\n".join(
        f'<li lang="{a.story.lang}"><a href="{_a(a.story.path)}">{_t(a.story.title)}</a> '
        f'<time datetime="{a.story.published.isoformat()}">'
        f"{a.story.published:%Y-%m-%d %H:%M}</time></li>"
        for a in articles
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Newsroom | Latest news</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml"></head>
<body><header><h1>Newsroom</h1><p>Latest news</p></header>
<main><ul class="latest">
{items}
</ul></main>
<footer><a href="/sitemap.xml">Sitemap</a></footer></body>
</html>
"""


def error_page(status: int, lang: str = "en") -> str:
    """A small error page, localised for article URLs."""
    by_lang = {o.lang: o.phrases for o in OUTLETS.values()}
    phrases = by_lang.get(lang, by_lang["en"])
    message = phrases.gone if status == 410 else phrases.not_found
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{status} | {_t(message)}</title></head>"
        f'<body><h1>{status}</h1><p>{_t(message)}</p><a href="/">{_t(phrases.home)}</a>'
        "</body></html>\n"
    )
