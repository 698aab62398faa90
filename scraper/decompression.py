"""Content-Encoding decoders that never produce more than a cap, whatever the input claims.

httpx's own decoders hand a whole network chunk to zlib or brotli in one call, so a few hundred
bytes of a brotli bomb become hundreds of megabytes before anyone can count them. Here every
decompression step is bounded (``max_length`` for zlib, ``output_buffer_limit`` for brotli), so
the size cap is enforced on the decompressed stream without ever holding more than one step
beyond it. ``scraper.fetch`` reads raw bytes and decodes with these.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator
from typing import Protocol

# One decompression step; small enough that a bomb cannot balloon between two cap checks.
STEP = 256 * 1024


class DecodeFailed(ValueError):
    """The body does not decode with the encoding the server declared."""


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class Zlib:
    """gzip (possibly several members) or deflate (zlib-wrapped or, as IIS sends it, raw)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._inner = zlib.decompressobj(self._wbits)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            try:
                out = self._inner.decompress(pending, STEP)
            except zlib.error as error:
                if self._first and not self._gzip:  # raw deflate without the zlib header
                    self._first = False
                    self._wbits = -zlib.MAX_WBITS
                    self._inner = zlib.decompressobj(self._wbits)
                    continue
                raise DecodeFailed(str(error)) from error
            self._first = False
            if out:
                yield out
            if self._inner.eof:
                rest = self._inner.unused_data
                if self._gzip and rest.strip(b"\0"):  # another gzip member follows
                    self._inner = zlib.decompressobj(self._wbits)
                    pending = rest
                    continue
                return
            pending = self._inner.unconsumed_tail
            # No input left and the step was not full: zlib has nothing more to give yet.
            if not pending and len(out) < STEP:
                return

    def finish(self) -> Iterator[bytes]:
        try:
            tail = self._inner.flush()
        except zlib.error as error:
            raise DecodeFailed(str(error)) from error
        if tail:
            yield tail


class Brotli:
    def __init__(self) -> None:
        try:
            import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError as error:  # pragma: no cover - brotli is a dependency
            raise DecodeFailed(
                "the server sent brotli and the brotli package is missing"
            ) from error
        self._module = brotli
        self._inner = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._inner.process(data, output_buffer_limit=STEP)
            if out:
                yield out
            # A limited step may leave output inside the decoder: drain it with empty input
            # before the next network chunk goes in.
            while out:
                out = self._inner.process(b"", output_buffer_limit=STEP)
                if out:
                    yield out
        except self._module.error as error:
            raise DecodeFailed(str(error)) from error

    def finish(self) -> Iterator[bytes]:
        return iter(())


def decoder_for(content_encoding: str) -> Decoder:
    """A bounded decoder for a Content-Encoding header value (codings applied in order)."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return Identity()
    if len(codings) > 1:
        raise DecodeFailed(f"stacked content codings are not supported: {content_encoding!r}")
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        return Zlib(gzip=True)
    if coding == "deflate":
        return Zlib(gzip=False)
    if coding == "br":
        return Brotli()
    raise DecodeFailed(f"unsupported content coding {coding!r}")


def brotli_available() -> bool:
    """Whether ``br`` can be offered in Accept-Encoding."""
    try:
        import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def gunzip_capped(data: bytes, cap: int) -> bytes:
    """Decompress a gzip file (a ``.xml.gz`` sitemap), refusing to grow past ``cap`` bytes."""
    decoder = Zlib(gzip=True)
    out = bytearray()
    for piece in itertools.chain(decoder.feed(data), decoder.finish()):
        out += piece
        if len(out) > cap:
            raise OverflowError(f"decompresses to more than {cap:,} bytes")
    return bytes(out)
