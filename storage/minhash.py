"""MinHash signatures of article bodies: what story placement compares, and no database.

Each body gets two signatures: one over 3-word shingles, which only copies of the same text
share (a syndicated AFP/Reuters/TASS story, lightly edited by each outlet), and one over the set
of content words, which articles about the same event share more loosely. Their LSH band hashes
are what ``storage.syndication`` looks up in the database.

The MinHash is datasketch's ``affine32`` scheme (its permutations, its LSH band parameters),
computed here with numpy over CRC-32 word hashes instead of a SHA-1 call per shingle: that
call was most of the cost of placing an article. datasketch itself is not imported at run
time (it loads scipy); the tests hold this module to its results. Signatures made with
another hash are not comparable; migration 0004 dropped the ones stored before this hash.

This module imports numpy and the standard library only, so the daemon's extraction process
signs a new article's body beside the daemon (``storage.digest``) without loading the database
layer.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

NUM_PERM = 64
SEED = 1
MIN_WORDS = 40  # shorter bodies (teasers, paywalls) would match too much


@dataclass(frozen=True, slots=True)
class Scheme:
    """One way of comparing bodies: the shingles it uses and the similarity that counts."""

    id: int
    role: str
    threshold: float


COPY = Scheme(0, "copy", 0.5)
COVERAGE = Scheme(1, "coverage", 0.3)
SCHEMES = (COPY, COVERAGE)
BY_ID = {scheme.id: scheme for scheme in SCHEMES}
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True, eq=False)
class BodySignature:
    """A body's MinHash values and their LSH band hashes, per scheme id."""

    values: dict[int, np.ndarray]
    bands: dict[int, list[int]]

    def packed(self) -> bytes:
        """The values of every scheme, in scheme order, as stored in ``article_signatures``."""
        return b"".join(self.values[scheme.id].astype("<u4").tobytes() for scheme in SCHEMES)

    def __eq__(self, other: object) -> bool:
        # Arrays compare element by element; two signatures are equal when all values are.
        if not isinstance(other, BodySignature):
            return NotImplemented
        return self.packed() == other.packed() and self.bands == other.bands

    def __hash__(self) -> int:
        return hash(self.packed())


def sign(body: str) -> BodySignature | None:
    """``body``'s signature, or ``None`` if it is too short to compare."""
    values = signatures(body)
    if values is None:
        return None
    bands = {scheme.id: band_hashes(values[scheme.id], scheme) for scheme in SCHEMES}
    return BodySignature(values, bands)


def signatures(body: str) -> dict[int, np.ndarray] | None:
    """The MinHash values of ``body`` per scheme id, or ``None`` if it is too short to compare."""
    if "\u0130" in body or "\u03a3" in body:
        # Each word lowered on its own, but in one call: no word holds a space, and lowering
        # a space-joined run gives each word what its own lower() gives, where lowering the
        # raw body would not: a dotted İ lowers to i and a combining dot (which splits the
        # word), and Σ to σ or ς by what stands beside it.
        words = " ".join(_WORDS.findall(body)).lower().split(" ")
    else:
        # Every other character lowers to one character of the same kind (word or not), the
        # same in any context, so the words of the lowered body are the lowered words.
        words = _WORDS.findall(body.lower())
    if len(words) < MIN_WORDS:
        return None
    # One C call per word and per step, no Python loop: hashing a repeated word again costs
    # less than the dict that would look it up. Shingles and permutations are numpy over arrays.
    count = len(words)
    word_hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint64, count)
    lengths = np.fromiter(map(len, words), np.intp, count)
    content = word_hashes[lengths >= 4]  # repeats do not change a MinHash (it is a minimum)
    return {COPY.id: minhash(shingle_hashes(word_hashes)), COVERAGE.id: minhash(content)}


def shingle_hashes(words: np.ndarray) -> np.ndarray:
    """32-bit hashes of every run of three word hashes (uint64 values below 2**32), in order."""
    # Each step is a bijection of the 64-bit state, so two different triples only meet by a
    # 2**-32 chance in the kept bits, and word order matters (a, b, c differs from c, b, a).
    state = _fmix64((words[:-2] << np.uint64(32)) | words[1:-1]) ^ words[2:]
    return _fmix64(state).astype(np.uint32)  # the low 32 bits


def minhash(hashes: np.ndarray) -> np.ndarray:
    """datasketch's ``affine32`` MinHash of a set given by its 32-bit item hashes.

    The same values ``MinHash(NUM_PERM, SEED, scheme="affine32").update_batch`` keeps, with
    the item hashes as ``hashfunc``: its permutations and its pre-mix, over a whole array at
    once instead of a Python call per item. Duplicates do not matter (it is a minimum).
    """
    a, b = permutations()
    if hashes.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = _fmix32(hashes.astype(np.uint32, copy=False))
    # uint32 arithmetic wraps: the affine maps are mod 2**32, as in datasketch. One row per
    # permutation, filled in place, so each minimum runs along contiguous memory: twice as
    # fast as an item per row and a temporary per operation.
    values = np.multiply.outer(a, mixed)
    values += b[:, np.newaxis]
    signature: np.ndarray = values.min(axis=1)
    return signature


def band_hashes(values: np.ndarray, scheme: Scheme) -> list[int]:
    """The LSH band hashes of one signature: signed 64-bit, to fit a BIGINT on both engines."""
    bands, rows = bands_and_rows(scheme.threshold)
    # Slices of the signature's bytes, the same as each band's own tobytes(): one copy out of
    # numpy instead of one slice and copy per band.
    data, width = values.tobytes(), rows * values.itemsize
    return [
        int.from_bytes(
            hashlib.blake2b(data[b * width : (b + 1) * width], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for b in range(bands)
    ]


@cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of the affine permutations every signature shares, drawn once.

    Drawn as datasketch's ``MinHash(NUM_PERM, SEED, scheme="affine32")`` draws them (a seeded
    ``RandomState``, odd multipliers), not by calling it: importing datasketch loads scipy for
    its LSH parameter search, some 50 MB in every daemon for numbers fixed here. The tests
    check these are datasketch's own.
    """
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


# MurmurHash3's finalisers: cheap bijections that spread every input bit over the output.
def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    mixed: np.ndarray = h ^ (h >> np.uint64(33))
    return mixed


# (bands, rows per band) per threshold: what datasketch's ``MinHashLSH(threshold, NUM_PERM)``
# picks (the tests check it); computed there by numerical integration, hence scipy.
_BANDS = {COPY.threshold: (14, 4), COVERAGE.threshold: (21, 3)}


def bands_and_rows(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) of the LSH index for a scheme's threshold."""
    return _BANDS[threshold]
