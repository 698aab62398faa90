"""Turning page bytes into text: BOM, valid UTF-8, the declared charset, then a guess.

One decoder for the whole scraper: the fetcher uses it with the HTTP header's charset, the
extractor with whatever the page says about itself.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The HTML spec looks at the first 1024 bytes; some CMSs put the meta tag a little later.
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# Labels that pages declare but that browsers read as a superset (WHATWG encoding standard).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "utf8": "utf-8",
    "unicode": "utf-8",
}
# A page cannot honestly declare these in ASCII-compatible <meta>: ignore such a claim.
_NOT_FROM_META = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                            "utf-32-be"})


_ASCII = bytes(range(0x80))


class UndecodableError(ValueError):
    """Bytes that are not text in any encoding we know."""


def codec_name(label: str) -> str | None:
    """The Python codec for a charset label, with browsers' aliases; None if unknown."""
    label = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_ALIASES.get(label, label)).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if it names a known codec."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset":
            return codec_name(value)
    return None


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
            return body[len(bom):].decode(name, errors="replace"), name
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
            except UnicodeDecodeError:
                continue  # a lying declaration: fall through to the next opinion
    from charset_normalizer import from_bytes  # imported late: only odd pages pay for it

    best = from_bytes(body[:200_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableError("bytes are not text in any known encoding")
    return body.decode(best.encoding, errors="replace"), best.encoding


def _mostly_utf8(body: bytes) -> bool:
    # Legacy 8-bit text fails UTF-8 at nearly every non-ASCII byte and has no valid multi-byte
    # sequences; real UTF-8 with a few damaged sequences is mostly valid multi-byte characters.
    if not body.translate(None, _ASCII):
        return False
    text = body.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for ch in text if ch > "\x7f") - broken
    return valid >= 10 * broken
