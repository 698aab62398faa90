"""From raw input to a parsed tree, refusing what is not HTML and defusing pathological nesting."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

from scraper.charset import UndecodableError, decode
from scraper.exceptions import ExtractionError

# Start tags that make lexbor scan the stack of open elements: nesting them N deep costs N².
_SCOPE_TAGS = re.compile(
    r"<(/?)(div|section|article|aside|nav|header|footer|main|blockquote|center|details|"
    r"dialog|dir|dl|fieldset|figure|figcaption|form|hgroup|menu|ol|ul|summary|table|"
    r"h[1-6]|pre|listing|address)\b[^>]*>",
    re.IGNORECASE,
)
MAX_DEPTH = 400  # deeper than any real page nests its blocks
_CHECK_NESTING_OVER = 50_000  # tags; below this lexbor is fast whatever the shape
_TAG_START = re.compile(r"<[a-zA-Z!/?]")
# Mutation callbacks only serve live-DOM features (<selectedcontent> mirroring an <option>);
# a read-and-discard tree is a little quicker to build and to edit without them.
_OPTIONS = LexborDocumentOptions.WO_EVENTS


def decode_html(data: bytes, url: str | None = None) -> str:
    """Page bytes to text through the scraper's one decoder; :class:`ExtractionError` when
    they are not text at all."""
    try:
        return decode(data)[0]
    except UndecodableError as error:
        raise ExtractionError(f"page {error}", url=url) from None


def flatten_deep_nesting(text: str, max_depth: int = MAX_DEPTH) -> str:
    """Drop block tags nested deeper than ``max_depth`` (their text stays), in linear time."""
    depth = 0

    def visit(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(1):
            depth = max(0, depth - 1)
            return "" if depth >= max_depth else match.group(0)
        depth += 1
        return "" if depth > max_depth else match.group(0)

    return _SCOPE_TAGS.sub(visit, text)


# C0 controls other than \t \n \f \r. Each is one byte below 0x80 in UTF-8, and no byte of a
# multi-byte sequence is: counting them in the encoded sample is exact, and 3x quicker than
# a regex over the text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)])


def _looks_binary(sample: str) -> bool:
    data = sample.encode("utf-8", "surrogatepass")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES)) + sample.count("\ufffd")
    return controls > len(sample) * 0.05


def to_text(html: str | bytes, url: str | None) -> str:
    """Decoded page text, or ExtractionError for empty, binary or non-HTML input."""
    return to_input(html, url)[0]


_UTF8_BOM = b"\xef\xbb\xbf"


def to_input(html: str | bytes, url: str | None) -> tuple[str, bytes | None]:
    """Decoded page text, and the page's own bytes when they are the UTF-8 lexbor reads.

    The parser reads UTF-8: handing it a ``str`` costs an encoding pass over the whole page
    (a quarter of a millisecond on a news page), the same bytes a UTF-8 page arrived as.
    Raises ExtractionError for empty, binary or non-HTML input.
    """
    raw: bytes | None = None
    if isinstance(html, bytes | bytearray | memoryview):
        data = bytes(html)
        if not data.strip():
            raise ExtractionError("empty page: nothing to extract", url=url)
        utf8 = data[3:] if data.startswith(_UTF8_BOM) else data
        try:
            text = utf8.decode("utf-8")  # what decode_html does first, bytes kept
            raw = utf8
        except UnicodeDecodeError:
            text = decode_html(data, url)
    elif isinstance(html, str):
        text = html
    else:
        raise ExtractionError(f"expected str or bytes, got {type(html).__name__}", url=url)
    if not text or text.isspace():  # isspace() stops at the first glyph; strip() copies
        raise ExtractionError("empty page: nothing to extract", url=url)
    if _looks_binary(text[:4096]):
        raise ExtractionError("page is binary data, not HTML", url=url)
    if not _TAG_START.search(text, 0, 65536):
        raise ExtractionError("page is not HTML: no tags in its first 64 KiB", url=url)
    return text, raw


def count_tag_starts(data: bytes) -> int:
    """How many "<" the UTF-8 ``data`` holds (as many as its text: no other byte is 0x3C).

    Big pages are big for their inline scripts and styles, a million bytes for two thousand
    tags. ``bytes.count`` compares byte by byte and checks its count at each match; numpy's
    vectorised comparison takes a third of the time. numpy is imported here, on the first page
    big enough to be counted, not with the extractor. The comparison's array of flags is made
    a mebibyte at a time, so that a 20 MB page does not cost 20 MB more to count.
    """
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8)
    return sum(
        int(np.count_nonzero(view[start : start + _COUNT_CHUNK] == 0x3C))
        for start in range(0, len(view), _COUNT_CHUNK)
    )


_COUNT_CHUNK = 1 << 20


def parse(text: str, url: str | None, raw: bytes | None = None) -> LexborHTMLParser:
    """Parse HTML text with lexbor; huge tag counts first get their nesting bounded.

    ``raw``: the same page as UTF-8 bytes, parsed instead of ``text`` when given.
    """
    source: str | bytes = text if raw is None else raw
    # Counting tags costs a pass over the text, so only pages big enough to hide one pay it.
    if len(text) > _CHECK_NESTING_OVER * 4:
        if raw is None:
            # The UTF-8 that the parser would make of the text itself, made here to be
            # counted too: the same bytes (selectolax encodes with errors="ignore").
            raw = source = text.encode("utf-8", "ignore")
        if count_tag_starts(raw) > _CHECK_NESTING_OVER:
            source = flatten_deep_nesting(text)
    # NUL characters need no scrubbing: lexbor drops them from text as the HTML spec says,
    # and a scan for them would cost a pass over the whole page.
    try:
        tree = LexborHTMLParser(source, options=_OPTIONS)
    except Exception as exc:  # lexbor reports failures as several exception types
        raise ExtractionError(f"HTML parser failed: {exc}", url=url) from exc
    if tree.body is None:
        raise ExtractionError("page has no <body> after parsing", url=url)
    return tree
