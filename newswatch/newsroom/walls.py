"""Outlets that misbehave as the live web does: walls, consent, meters, soft 404s, script shells.

Each mode replaces an article's healthy response some of the time (``share``, decided per
request so that a recheck loop meets both) with what real sites send instead. Challenge and
consent pages are the real ones in ``live/`` (each with its source in its first line), served
with the status and headers their vendors use. The metered and script-only pages are built
from the article itself, after the documented forms: Google's paywall markup (with the
JSON-LD shape real publishers use, ``live/paywall_jsonld_*``) and a Next.js-style page whose
text is in a ``__NEXT_DATA__`` script.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote

from newswatch.newsroom.responses import HTML, Response

if TYPE_CHECKING:  # faults.py registers these modes, so it cannot be imported from here
    from newswatch.newsroom.faults import FaultContext

# vendor → (live sample, status, headers), as each vendor answers a blocked request.
CHALLENGES: dict[str, tuple[str, int, tuple[tuple[str, str], ...]]] = {
    "cloudflare": (
        "cloudflare_managed-challenge_cvId3_2025-02-24.html",
        403,
        (
            ("Server", "cloudflare"),
            ("cf-mitigated", "challenge"),
            ("cf-ray", "8f3a1c2b9d4e5f60-FRA"),
        ),
    ),
    # Older Cloudflare pages came with 503 and no cf-mitigated header: markers only.
    "cloudflare-2020": (
        "cloudflare_iuam-jschl_just-a-moment_2020-05-27.html",
        503,
        (("Server", "cloudflare"),),
    ),
    "cloudflare-200": ("cloudflare_managed-challenge_cvId2_2021-11-02.html", 200, ()),
    # DataDome answers a blocked request with its session cookie, ``datadome``: 128 bytes,
    # kept a year (docs.datadome.co/docs/cookie-session-storage). No Domain or Secure
    # attribute: on the newsroom's plain-HTTP loopback address a client would refuse the
    # first and never send the cookie back with the second.
    "datadome": (
        "datadome_captcha-delivery_block_liverpoolfc.com.html",
        403,
        (
            ("Server", "DataDome"),
            ("X-DataDome", "protected"),
            ("Set-Cookie", f"datadome={'A1b2C3d4' * 16}; Max-Age=31536000; Path=/; SameSite=Lax"),
        ),
    ),
    "perimeterx": ("perimeterx_block_adorama.com_2018-03.html", 403, ()),
    "akamai": ("akamai_sec-cpt_challenge-iframe_2024.html", 428, (("Server", "AkamaiGHost"),)),
}
CONSENT_PAGE = "google-consent_consent.youtube.com_de_2021-03.html"
PROMPT = "Subscribe to continue reading. Already a subscriber? Log in."
_LOCKED = "article-locked"
# The block of the article's paragraphs as pages.py writes it: a div opening on its own line,
# its first child a paragraph or heading, closed on a line of its own.
_BODY = re.compile(r'<div class="[^"]+">\n<(?:p|h2|h3)>.*?\n</div>', re.DOTALL)


@cache
def sample(name: str) -> str:
    """A live sample by file name (its source line included)."""
    return resources.files("newswatch.newsroom").joinpath("live", name).read_text("utf-8")


def _now(ctx: FaultContext, share: float) -> bool:
    """Whether this request gets the misbehaviour: ``share`` of requests, spread evenly but
    not in a pattern a recheck loop would fall into step with."""
    if share >= 1:
        return True
    digest = hashlib.sha256(f"{ctx.request.path}#{ctx.request.seq}".encode()).digest()
    return digest[0] / 256 < share


def challenge(ctx: FaultContext, *, vendor: str = "cloudflare", share: float = 1.0) -> Response:
    """A bot wall from ``vendor`` (see :data:`CHALLENGES`) instead of the page."""
    if vendor not in CHALLENGES:
        raise ValueError(f"unknown vendor {vendor!r}; known: {', '.join(CHALLENGES)}")
    if not _now(ctx, share):
        return ctx.normal
    name, status, headers = CHALLENGES[vendor]
    return Response(status, sample(name).encode("utf-8"), HTML, headers=headers)


def consent(ctx: FaultContext, *, how: str = "redirect", share: float = 1.0) -> Response:
    """Google's consent wall: a redirect to ``consent.google.com`` (``how="redirect"``), as
    Google sends visitors from the EU, or its interstitial page itself (``how="page"``)."""
    if not _now(ctx, share):
        return ctx.normal
    if how == "page":
        return Response(200, sample(CONSENT_PAGE).encode("utf-8"), HTML)
    target = quote(ctx.base_url + ctx.request.path, safe="")
    location = f"https://consent.google.com/ml?continue={target}&gl=DE&hl=de&pc=n&src=1"
    return Response(302, b"", None, headers=(("Location", location),))


def metered(ctx: FaultContext, *, share: float = 0.5, teaser_paragraphs: int = 1) -> Response:
    """A metered article: always marked up as paywalled (``isAccessibleForFree: false`` with
    ``hasPart`` naming ``.article-locked``, as publishers do for search engines), sent in full
    to some visits and as a teaser (the first paragraphs and a subscription prompt, the locked
    element empty) to ``share`` of them."""
    normal = ctx.page or ctx.normal  # a page of its own: the client's validators do not apply
    if normal.status != 200:
        return normal
    text = _mark_paywalled(normal.body.decode("utf-8"))
    body = _BODY.search(text)  # the article's own paragraphs, not the cookie banner's
    if body is None:
        return normal
    block = body.group(0)
    opening, rest = block.split("\n", 1)  # <div class=…>, then the paragraphs and headings
    ends = [m.end() for m in re.finditer(r"</p>", rest)]
    if len(ends) <= teaser_paragraphs:
        return normal
    cut = ends[teaser_paragraphs - 1]
    free, locked = rest[:cut], rest[cut:].removesuffix("\n</div>")
    inner = locked if not _now(ctx, share) else ""
    prompt = "" if inner else f'\n<div class="paywall-prompt"><p>{html.escape(PROMPT)}</p></div>'
    page = text.replace(
        block, f'{opening}\n{free}\n<div class="{_LOCKED}">{inner}</div>{prompt}\n</div>', 1
    )
    # A teaser and a full text are different bytes: different validators, as on a real site.
    return replace(
        normal,
        body=page.encode("utf-8"),
        etag=f'"{"t" if prompt else "f"}-{hashlib.sha1(page.encode()).hexdigest()[:12]}"',
    )


def _mark_paywalled(page: str) -> str:
    extra = {
        "isAccessibleForFree": False,
        "hasPart": {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{_LOCKED}",
        },
    }
    markup = json.dumps(extra)[1:-1]  # the two keys, spliced into the NewsArticle object
    return page.replace('"@type": "NewsArticle",', f'"@type": "NewsArticle", {markup},', 1)


def soft_404(ctx: FaultContext, *, how: str = "page", share: float = 1.0) -> Response:
    """An error page with status 200 (``how="page"``), the front page served at the article's
    address (``"front"``), or a redirect to the front page (``"redirect_front"``)."""
    if not _now(ctx, share):
        return ctx.normal
    if how == "redirect_front":
        return Response(302, b"", None, headers=(("Location", ctx.base_url + "/"),))
    if how == "front":
        front = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<title>Newsroom | Latest news</title><link rel="canonical" '
            f'href="{ctx.base_url}/"></head><body><h1>Newsroom</h1>'
            f'<p>Latest news</p><ul><li><a href="/">Home</a></li></ul></body></html>'
        )
        return Response(200, front.encode("utf-8"), HTML)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Page not found | Newsroom</title></head><body><header>Newsroom</header>"
        "<main><h1>Sorry, we can't find that page</h1><p>It may have been moved or "
        'deleted.</p><p><a href="/">Back to the front page</a></p></main></body></html>'
    )
    return Response(200, page.encode("utf-8"), HTML)


def login_wall(ctx: FaultContext, *, share: float = 1.0) -> Response:
    """A redirect to a sign-in page (``/account/login?return=…``), which the newsroom serves."""
    if not _now(ctx, share):
        return ctx.normal
    target = quote(ctx.request.path, safe="")
    return Response(
        302, b"", None, headers=(("Location", f"{ctx.base_url}/account/login?return={target}"),)
    )


SIGN_IN_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in | '
    'Newsroom</title></head><body><h1>Sign in</h1><form method="post" '
    'action="/account/login"><label>E-mail <input type="email" name="email">'
    '</label><label>Password <input type="password" name="password"></label>'
    "<button>Sign in</button></form></body></html>"
)


def script_shell(ctx: FaultContext) -> Response:
    """The article as a script-rendered app: an empty mount point, the text in a
    ``__NEXT_DATA__`` JSON script, and an inline script that renders it."""
    normal = ctx.page or ctx.normal  # a page of its own: the client's validators do not apply
    if normal.status != 200:
        return normal
    text = normal.body.decode("utf-8")
    title = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.DOTALL)
    paragraphs = [
        html.unescape(re.sub(r"<[^>]+>", "", p))
        for p in re.findall(r"<p>(.*?)</p>", text, re.DOTALL)
    ]
    data = {
        "props": {
            "pageProps": {
                "article": {
                    "title": html.unescape(re.sub(r"<[^>]+>", "", title.group(1))) if title else "",
                    "paragraphs": paragraphs,
                }
            }
        }
    }
    head = text[: text.index("</head>")] if "</head>" in text else "<head>"
    state = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    shell = (
        f'{head}</head><body><div id="__next"></div>'
        f'<script id="__NEXT_DATA__" type="application/json">{state}</script>'
        "<script>(function(){var d=JSON.parse(document.getElementById('__NEXT_DATA__')"
        ".textContent).props.pageProps.article;var a=document.createElement('article');"
        "var h=document.createElement('h1');h.textContent=d.title;a.appendChild(h);"
        "d.paragraphs.forEach(function(t){var p=document.createElement('p');"
        "p.textContent=t;a.appendChild(p);});document.getElementById('__next')"
        ".appendChild(a);})();</script></body></html>"
    )
    body = shell.encode("utf-8")
    return replace(normal, body=body, etag=f'"shell-{hashlib.sha1(body).hexdigest()[:12]}"')


MODES = {f.__name__: f for f in (challenge, consent, metered, soft_404, login_wall, script_shell)}
