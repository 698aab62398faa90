"""Charset labels: only the Encoding Standard's labels choose how page bytes are read."""

from __future__ import annotations

import codecs
import xml.etree.ElementTree as ET

import feedparser
import pytest

from scraper.charset import (
    charset_from_content_type,
    codec_name,
    decode,
    sniff_charset,
    xml_for_parser,
)
from scraper.encoding_labels import LABELS

# Every one of these is a name Python's codec registry answers to.
FOREIGN = [
    "hex",
    "rot13",
    "rot_13",
    "undefined",
    "base64",
    "base_64",
    "zlib",
    "zip",
    "utf-7",
    "bz2",
    "uu",
    "quopri",
    "unicode_escape",
    "raw_unicode_escape",
    "idna",
    "punycode",
    "utf-32",
    "latin-1",
    "charmap",
    "palmos",
    "mbcs",
    "x-user-defined",
    "replacement",
    "hz-gb-2312",
    "iso-2022-kr",
]
LEGACY = "Çırağan café — «talks»".encode("cp1252", errors="xmlcharrefreplace")


@pytest.mark.parametrize("label", FOREIGN)
def test_a_foreign_label_is_no_codec(label: str) -> None:
    assert codec_name(label) is None
    assert charset_from_content_type(f"text/html; charset={label}") is None
    assert sniff_charset(f'<meta charset="{label}">'.encode()) is None


@pytest.mark.parametrize("label", FOREIGN)
def test_decoding_under_a_foreign_label_guesses(label: str) -> None:
    body = b"<p>" + LEGACY + b" \\x1b[2J</p>"
    text, used = decode(body, declared=codec_name(label))
    assert "\x1b" not in text, "an escape sequence in the bytes was not made real"
    assert used in LABELS.values() or codecs.lookup(used)._is_text_encoding  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        (" UTF8\t", "utf-8"),
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("windows-1251", "cp1251"),
        ("Shift_JIS", "cp932"),
        ("gb2312", "gb18030"),
        ("euc-kr", "cp949"),
        ("koi8-r", "koi8-r"),
        ("utf-16", "utf-16-le"),
        ("x-mac-cyrillic", "mac-cyrillic"),
    ],
)
def test_web_labels_map_to_the_codecs_browsers_use(label: str, codec: str) -> None:
    assert codec_name(label) == codec


def test_every_label_names_a_text_codec() -> None:
    for label, codec in LABELS.items():
        assert codec is None or codecs.lookup(codec)._is_text_encoding, label  # type: ignore[attr-defined]


def test_case_folding_is_ascii_only() -> None:
    assert codec_name("\u212aoi8-r") is None  # KELVIN SIGN lower-cases to "k" in Unicode


def test_a_legitimate_declaration_is_honoured() -> None:
    body = '<meta charset="windows-1251"><p>Переговоры в Стамбуле</p>'.encode("cp1251")
    assert decode(body) == ('<meta charset="windows-1251"><p>Переговоры в Стамбуле</p>', "cp1251")


@pytest.mark.parametrize("label", ["hex", "undefined", "utf-7", "rot13", "uu"])
def test_xml_with_a_foreign_declaration_reaches_parsers_as_utf8(label: str) -> None:
    body = (
        (
            f'<?xml version="1.0" encoding="{label}"?>\n<rss version="2.0"><channel>'
            f"<title>x</title><item><title>"
        ).encode()
        + LEGACY
        + b"</title><link>https://a.example/1</link></item></channel></rss>"
    )
    fixed, content_type = xml_for_parser(body, f"application/rss+xml; charset={label}")
    assert content_type == "application/rss+xml; charset=utf-8"
    assert fixed.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    parsed = feedparser.parse(fixed, response_headers={"content-type": content_type})
    # The text is charset-normalizer's guess (short samples may fool it): the parse is the point.
    assert not parsed.bozo and parsed.entries[0].link == "https://a.example/1"
    assert ET.fromstring(fixed).find("channel/item/link").text == "https://a.example/1"  # type: ignore[union-attr]


def test_xml_with_known_labels_is_left_alone() -> None:
    body = b'<?xml version="1.0" encoding="windows-1252"?><urlset/>'
    assert xml_for_parser(body, "application/xml; charset=iso-8859-1") == (
        body,
        "application/xml; charset=iso-8859-1",
    )
    assert xml_for_parser(b"<urlset/>", "application/xml; charset=hex") == (
        b"<urlset/>",
        "application/xml",
    )
