"""Turning page bytes into text: BOM, valid UTF-8, the declared charset, then a guess.

One decoder for the whole scraper: the fetcher uses it with the HTTP header's charset, the
extractor with whatever the page says about itself.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from scraper.encoding_labels import web_codec

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)
# The HTML spec looks at the first 1024 bytes; some CMSs put the meta tag a little later.
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# The encoding pseudo-attribute of an XML declaration (ASCII in any encoding it can name).
_XML_ENCODING = re.compile(
    rb"""\A(\xef\xbb\xbf)?\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"'>]*)["']"""
)
_XML_ENCODING_TEXT = re.compile(
    r"""\A(\ufeff?\s*<\?xml\s[^>]*?\bencoding\s*=\s*["'])([^"'>]*)(["'])"""
)
# A page cannot honestly declare these in ASCII-compatible <meta>: ignore such a claim.
_NOT_FROM_META = frozenset({"utf-16-le", "utf-16-be"})


_ASCII = bytes(range(0x80))


class UndecodableError(ValueError):
    """Bytes that are not text in any encoding we know."""


def codec_name(label: str) -> str | None:
    """The Python codec for a charset label the Encoding Standard knows; None for any other.

    Only browsers' labels count: a page naming ``hex``, ``rot13`` or ``unicode_escape`` gets
    no say, and its bytes are read as if it had named nothing.
    """
    return web_codec(label.strip().strip("\"'"))


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if it names a known codec."""
    label = _header_label(content_type)
    return None if label is None else codec_name(label)


def _header_label(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset":
            return value
    return None


def xml_for_parser(body: bytes, content_type: str | None) -> tuple[bytes, str]:
    """``body`` and its Content-Type as an XML parser should get them.

    Unchanged unless the header's charset or the XML declaration's encoding is a label the
    Encoding Standard does not know (``hex``, ``undefined``…): XML parsers hand such a label
    to Python's codecs, which fail in ways no parser catches. A foreign header label is
    dropped; behind a foreign declaration the document is read as :func:`decode` reads any
    page and handed on as UTF-8, the declaration and the header saying so.
    """
    header = content_type or ""
    label = _header_label(header)
    if label is not None and codec_name(label) is None:
        header, label = _with_charset(header, None), None
    declaration = _XML_ENCODING.match(body[:_SNIFF_BYTES])
    if declaration is None or codec_name(declaration.group(2).decode("latin-1")):
        return body, header
    try:
        text, _ = decode(body, declared=codec_name(label or ""))
    except UndecodableError:  # not text at all: let the parser say the document is broken
        start, end = declaration.span(2)
        return body[:start] + b"utf-8" + body[end:], _with_charset(header, "utf-8")
    text = _XML_ENCODING_TEXT.sub(r"\g<1>utf-8\g<3>", text, count=1)
    return text.encode("utf-8"), _with_charset(header, "utf-8")


def _with_charset(content_type: str, charset: str | None) -> str:
    parts = [
        part
        for part in content_type.split(";")
        if part.strip().partition("=")[0].strip().lower() != "charset"
    ]
    media = ";".join(parts)
    return f"{media}; charset={charset}" if charset else media


def sniff_charset(body: bytes) -> str | None:
    """The encoding a document declares about itself in an early ``<meta charset>``."""
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    if not match:
        return None
    name = codec_name(match.group(1).decode("ascii", "ignore"))
    return None if name in _NOT_FROM_META else name


def decode(body: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode ``body``; return ``(text, encoding used)``.

    A BOM wins over everything (browsers agree). Bytes that are valid UTF-8 are UTF-8 whatever
    the header says: servers often mislabel UTF-8 as ISO-8859-1, while legacy text that happens
    to be valid multi-byte UTF-8 is vanishingly rare. Then the declared (header) charset, the
    document's own declaration, and charset-normalizer's guess. Raises
    :class:`UndecodableError` only for bytes that no guess can read.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(body):
        # A UTF-8 page with a few broken sequences (a bad paste, a cut multi-byte character):
        # replacing those few beats re-reading the whole page in a legacy codec (mojibake).
        return body.decode("utf-8", errors="replace"), "utf-8"
    for candidate in (declared, sniff_charset(body)):
        if candidate and candidate != "utf-8":
            try:
                return body.decode(candidate), candidate
            except (UnicodeError, LookupError):
                continue  # a lying declaration: fall through to the next opinion
    from charset_normalizer import from_bytes  # imported late: only odd pages pay for it

    best = from_bytes(body[:200_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableError("bytes are not text in any known encoding")
    return body.decode(best.encoding, errors="replace"), best.encoding


class PageText(NamedTuple):
    """A fetched page's text as the fetcher reads it (:func:`page_text`)."""

    text: str
    encoding: str  # "" when no encoding reads the body (the text is then empty)
    utf8: bytes | None  # the body, when the text is exactly it read as UTF-8


def page_text(body: bytes, content_type: str | None) -> PageText:
    """A fetched page's text as the fetcher reads it (:func:`decode`, its header's charset
    declared), the encoding used (``""``: undecodable, the text empty), and ``body`` again when
    the text is exactly ``body`` read as UTF-8, for a parser that reads UTF-8 bytes."""
    if not body:
        return PageText("", "", None)
    if not body.startswith(_BOM_PREFIXES):
        try:
            return PageText(body.decode("utf-8"), "utf-8", body)  # what decode() tries first
        except UnicodeDecodeError:
            pass
    try:
        text, encoding = decode(body, declared=charset_from_content_type(content_type))
    except UndecodableError:
        # Binary or random bytes: the body is kept for whoever can use it (a gzipped sitemap),
        # and text-based parsers see nothing and say so in their own terms.
        return PageText("", "", None)
    return PageText(text, encoding, None)


def _mostly_utf8(body: bytes) -> bool:
    # Legacy 8-bit text fails UTF-8 at nearly every non-ASCII byte and has no valid multi-byte
    # sequences; real UTF-8 with a few damaged sequences is mostly valid multi-byte characters.
    if not body.translate(None, _ASCII):
        return False
    text = body.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    # Non-ASCII characters counted in C: encoding to ASCII drops exactly those (a Python
    # loop over the characters cost 25 ms on a 300 kB legacy page).
    valid = len(text) - len(text.encode("ascii", "ignore")) - broken
    return valid >= 10 * broken
