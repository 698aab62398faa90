"""Misbehaviour modes: each a small function that bends or replaces the healthy response.

``MODES`` maps a mode name to its function. A mode takes a :class:`FaultContext` (the request,
the response the site would have sent, the base URL) plus keyword options, and returns the
:class:`Response` to write. Byte-level tricks (delays, dripping, lying about the length) are
fields of the response, which ``server.py`` honours. Pages that try to make the watcher grow
(churning text, floods of links, a 2 MB headline) are in ``hostile.py``.
"""

from __future__ import annotations

import importlib.util
import inspect
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from newswatch.newsroom import hostile, runaway, walls
from newswatch.newsroom.responses import HTML, Request, Response, http_date, tiny_png

MiB = 1024 * 1024


@dataclass(frozen=True)
class FaultContext:
    """What a fault may look at."""

    request: Request
    normal: Response  # what the healthy site would have answered
    base_url: str
    page: Response | None = None  # the same before any 304: the page a 304 stands for


Fault = Callable[..., Response]


def _plain(status: int, text: str, content_type: str = HTML) -> Response:
    return Response(status, text.encode("utf-8"), content_type)


def status(
    ctx: FaultContext, *, code: int = 503, retry_after: int | float | str | datetime | None = None
) -> Response:
    """Answer ``code`` (403, 429, 500, 502, 503…), optionally with Retry-After."""
    page = f"<!DOCTYPE html><html><body><h1>Error {code}</h1></body></html>"
    response = _plain(code, page)
    if retry_after is None:
        return response
    if isinstance(retry_after, datetime):
        value = http_date(retry_after)
    elif isinstance(retry_after, int | float):
        value = str(int(retry_after))
    else:
        value = retry_after
    return response.with_headers(("Retry-After", value))


def slow(ctx: FaultContext, *, seconds: float = 5.0) -> Response:
    """Wait ``seconds`` before sending anything, then answer normally."""
    return replace(ctx.normal, delay=seconds)


def drip(ctx: FaultContext, *, chunk: int = 16, interval: float = 0.2) -> Response:
    """Send the headers at once, then the body ``chunk`` bytes every ``interval`` seconds."""
    return replace(ctx.normal, drip_bytes=max(1, chunk), drip_interval=interval)


def _redirect(location: str, code: int) -> Response:
    page = f'<!DOCTYPE html><html><body><a href="{location}">Moved</a></body></html>'
    return _plain(code, page).with_headers(("Location", location))


def redirect(ctx: FaultContext, *, to: str, code: int = 301) -> Response:
    """One redirect to ``to`` (a path or a URL): an article that moved."""
    return _redirect(ctx.base_url + to if to.startswith("/") else to, code)


def redirect_loop(ctx: FaultContext, *, code: int = 302) -> Response:
    """A → A?_loop=1 → A → … forever."""
    path = ctx.request.path
    target = path if "_loop" in ctx.request.query else f"{path}?_loop=1"
    return _redirect(ctx.base_url + target, code)


def redirect_chain(ctx: FaultContext, *, hops: int = 5, code: int = 301) -> Response:
    """``hops`` redirects (A → A?_hop=1 → … → A?_hop=hops), then the normal page."""
    hop = int(ctx.request.query.get("_hop", "0") or 0)
    if hop >= hops:
        return ctx.normal
    return _redirect(f"{ctx.base_url}{ctx.request.path}?_hop={hop + 1}", code)


def redirect_scheme(ctx: FaultContext, *, scheme: str = "ftp", code: int = 302) -> Response:
    """A redirect to a non-HTTP scheme (``Location: ftp://…``)."""
    host = ctx.base_url.split("://", 1)[1]
    return _redirect(f"{scheme}://{host}{ctx.request.path}", code)


def huge(ctx: FaultContext, *, size: int = 16 * MiB, length: bool = True) -> Response:
    """An HTML body of ``size`` bytes; ``length=False`` omits Content-Length (ends at close)."""
    head = b"<!DOCTYPE html><html><body><p>"
    filler = b"All work and no play makes a very large page. " * (size // 46 + 1)
    body = (head + filler)[:size]
    return Response(200, body, HTML, send_length=length, close=not length)


@cache
def _gzip_zeros(size: int) -> bytes:
    # Compressed piecewise so building the bomb never holds the decompressed bytes.
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MiB
    parts = [packer.compress(block[: min(MiB, size - done)]) for done in range(0, size, MiB)]
    return b"".join(parts) + packer.flush()


def gzip_bomb(ctx: FaultContext, *, size: int = 64 * MiB) -> Response:
    """``Content-Encoding: gzip``: a few KiB on the wire, ``size`` bytes once decompressed."""
    return Response(200, _gzip_zeros(size), HTML, headers=(("Content-Encoding", "gzip"),))


def brotli_bomb(ctx: FaultContext, *, size: int = 64 * MiB) -> Response:
    """``Content-Encoding: br`` with a tiny body that decompresses to ``size`` bytes."""
    import brotli  # only registered when importable

    return Response(200, _brotli_zeros(size, brotli), HTML, headers=(("Content-Encoding", "br"),))


@cache
def _brotli_zeros(size: int, module: Any) -> bytes:
    return bytes(module.compress(b"\0" * size))


def wrong_charset(
    ctx: FaultContext,
    *,
    charset: str = "ISO-8859-1",
    meta: bool = False,
    encode_as: str | None = None,
) -> Response:
    """Send the page while declaring ``charset`` in the header (and, with ``meta``, in the
    document's own ``<meta charset>`` or XML declaration). The bytes stay UTF-8 unless
    ``encode_as`` names a codec to write them in (characters it lacks become references)."""
    body = ctx.normal.body
    if meta:
        body = body.replace(b'<meta charset="utf-8">', f'<meta charset="{charset}">'.encode(), 1)
        body = re.sub(
            rb'\A(<\?xml[^>]*?encoding=")[^"]*(")',
            lambda m: m[1] + charset.encode() + m[2],
            body,
            count=1,
            flags=re.I,
        )
    if encode_as is not None:
        body = body.decode("utf-8").encode(encode_as, errors="xmlcharrefreplace")
    media = (ctx.normal.content_type or "text/html").split(";")[0]
    return replace(ctx.normal, body=body, content_type=f"{media}; charset={charset}")


def invalid_utf8(ctx: FaultContext) -> Response:
    """The page with byte sequences that are not UTF-8 inside the first paragraph."""
    bad = b"\xc3\x28 \xff\xfe \xe2\x82"
    body = ctx.normal.body
    body = body.replace(b"<p>", b"<p>" + bad, 1) if b"<p>" in body else bad + body
    return replace(ctx.normal, body=body)


def truncated(ctx: FaultContext, *, fraction: float = 0.5) -> Response:
    """Declare the full Content-Length, send only ``fraction`` of the body, then close."""
    body = ctx.normal.body
    return replace(
        ctx.normal, body=body[: int(len(body) * fraction)], content_length=len(body), close=True
    )


def octet_stream(ctx: FaultContext) -> Response:
    """The page served as ``application/octet-stream``."""
    return replace(ctx.normal, content_type="application/octet-stream")


def empty(ctx: FaultContext) -> Response:
    """200 with an empty body."""
    return Response(200, b"", HTML)


def garbage(ctx: FaultContext, *, size: int = 4096, seed: int = 0) -> Response:
    """``size`` random bytes labelled ``text/html``."""
    return Response(200, random.Random(seed).randbytes(size), HTML)


_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"


def not_html(ctx: FaultContext, *, kind: str = "pdf", content_type: str | None = None) -> Response:
    """A PDF (``kind="pdf"``) or PNG (``kind="png"``) body; ``content_type`` may lie about it."""
    if kind == "pdf":
        body, honest = _PDF + b"%" + b"x" * 2000 + b"\n%%EOF\n", "application/pdf"
    elif kind == "png":
        body, honest = tiny_png(), "image/png"
    else:
        raise ValueError(f"not_html kind must be 'pdf' or 'png', not {kind!r}")
    return Response(200, body, content_type or honest)


def answer(
    ctx: FaultContext, *, body: str, content_type: str = "text/html; charset=utf-8", code: int = 200
) -> Response:
    """Answer ``body`` instead (an API's error in its own words, a changed format)."""
    return _plain(code, body, content_type)


def _is_feed(path: str) -> bool:
    return "sitemap" not in path


def malformed_xml(ctx: FaultContext) -> Response:
    """The feed or sitemap cut off mid-element, with a raw ``&`` and an unclosed tag."""
    body = ctx.normal.body
    if not body.lstrip().startswith(b"<?xml"):
        body = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>News</title>'
    cut = body[: max(len(body) * 2 // 3, 1)]
    tail = b"\n<item><title>Talks & truce <b>unclosed</title><link>"
    return replace(ctx.normal, status=200, body=cut + tail, content_type=ctx.normal.content_type)


def xml_bomb(ctx: FaultContext, *, depth: int = 10) -> Response:
    """A "billion laughs" document: ``depth`` levels of tenfold entity expansion."""
    path = ctx.request.path
    root = "rss" if _is_feed(path) else "urlset"
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth)
    ]
    inner = (
        f"<channel><title>&lol{depth - 1};</title></channel>"
        if root == "rss"
        else f"<url><loc>&lol{depth - 1};</loc></url>"
    )
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n' + "\n".join(entities) + "\n]>\n"
        f"<{root}>{inner}</{root}>\n"
    )
    kind = "application/rss+xml" if root == "rss" else "application/xml"
    return _plain(200, text, f"{kind}; charset=utf-8")


def sitemap_self_index(ctx: FaultContext) -> Response:
    """A sitemap index whose only entry is itself."""
    me = ctx.base_url + ctx.request.path
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<sitemap><loc>{me}</loc></sitemap>\n</sitemapindex>\n"
    )
    return _plain(200, text, "application/xml; charset=utf-8")


MODES: dict[str, Fault] = {
    f.__name__: f
    for f in (
        status,
        slow,
        drip,
        redirect,
        redirect_loop,
        redirect_chain,
        redirect_scheme,
        huge,
        gzip_bomb,
        wrong_charset,
        invalid_utf8,
        truncated,
        octet_stream,
        empty,
        garbage,
        not_html,
        malformed_xml,
        xml_bomb,
        sitemap_self_index,
        answer,
    )
}
if importlib.util.find_spec("brotli") is not None:
    MODES["brotli_bomb"] = brotli_bomb
MODES.update(hostile.MODES)  # links to places a crawler must not go (the address guard's tests)
MODES.update(walls.MODES)  # walls, teasers, soft 404s and script shells, as the live web serves
MODES.update(runaway.MODES)  # pages that would make the watcher grow without bound


def check(mode: str, opts: dict[str, Any]) -> Fault:
    """The fault for ``mode`` after checking its options; ValueError says what is allowed."""
    fault = MODES.get(mode)
    if fault is None:
        raise ValueError(f"unknown misbehaviour mode {mode!r}; allowed: {', '.join(sorted(MODES))}")
    try:
        inspect.signature(fault).bind(None, **opts)
    except TypeError as exc:
        params = [p for p in inspect.signature(fault).parameters if p != "ctx"]
        raise ValueError(
            f"mode {mode!r}: {exc}; its options are: {', '.join(params) or 'none'}"
        ) from None
    return fault
