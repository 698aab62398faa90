"""Turning response bytes into text: BOM, HTTP header, <meta charset>, then a guess."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Only the head of a document may declare its encoding; HTML says within the first 1024 bytes.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_SNIFF_BYTES = 2048


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if it names a codec Python knows."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset":
            return _known_codec(value.strip().strip("\"'"))
    return None


def sniff_charset(body: bytes) -> str | None:
    """The encoding a document declares about itself: its BOM or an early ``<meta charset>``."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    return _known_codec(match.group(1).decode("ascii", "ignore")) if match else None


def decode(body: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode ``body``; return ``(text, encoding used)``.

    A BOM wins over everything (browsers agree). Bytes that are valid UTF-8 are UTF-8 whatever
    the header says: servers often mislabel UTF-8 as ISO-8859-1, while legacy text that happens
    to be valid multi-byte UTF-8 is vanishingly rare. Then the declared (header) charset, the
    document's own declaration, and charset-normalizer's guess.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in (declared, sniff_charset(body)):
        if candidate and candidate != "utf-8":
            try:
                return body.decode(candidate), candidate
            except UnicodeDecodeError:
                continue  # a lying header: fall through to the next opinion
    from charset_normalizer import from_bytes  # imported late: only odd pages pay for it

    best = from_bytes(body[:200_000]).best()
    if best is not None:
        return body.decode(best.encoding, errors="replace"), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


def _known_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
