"""py3langid's model, memory-mapped from an uncompressed copy in the user's cache folder.

py3langid ships its model LZMA-compressed and unpacks it into each process: about 75 MB of
private memory held for good (the state table alone is 37 MiB of uint32: more than 65,536
states, so no narrower type holds it), 40 MB more while it loads, and two seconds. Unpacked
once into plain ``.npy`` files and mapped read-only, it loads in 40 ms with no transient, and
its pages are the OS page cache's: shared by every daemon on the machine, given back under
memory pressure. They still count in each process's RSS once read, and the DFA walk reads
the tables all over (the kernel maps file pages around each fault), so after a few pages of
text nearly all of the model (55 MB as stored here) is resident: mapping saves ~20 MB and
the load's peak, not the model. Row bases and outputs are mapped too, where py3langid builds
two lists of 100,000 ints. The model is the same, array for array: identification gives the
same language and the same probability (tests/scraper/test_language_model.py compares them).

The copy lives in ``<user cache folder>/newswatch/langid-<format>-<hash of the packaged
model>``, written to a temporary folder and renamed into place, so concurrent daemons never
read a half-written copy, and a new py3langid model gets a new folder. The process that renames
a new copy into place removes the copies of other models beside it (58 MB each, which nothing
else would ever remove); a daemon still mapping one keeps its pages, as an unlinked file lives
on while mapped. Where no folder can be written or read, the model is loaded into memory as
py3langid does it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
from py3langid.langid import (  # type: ignore[import-untyped]
    MODEL_DIR,
    MODEL_FILE,
    LanguageIdentifier,
)
from py3langid.modelio import load_model  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

_FORMAT = 2  # bump when the files written here change
_ARRAYS = ("ptc", "pc", "nextmove", "byte_class", "rowbase", "output")


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("newswatch"))


def load_identifier(cache_dir: Path | None = None) -> Any:
    """py3langid's ``LanguageIdentifier`` (normalised probabilities) on the mapped model."""
    source = Path(MODEL_DIR) / MODEL_FILE
    try:
        return _mapped(_unpacked(source, cache_dir or default_cache_dir()))
    except (OSError, ValueError) as exc:  # not writable, or a damaged copy
        logger.warning("language model not cached (%s): loading it into memory", exc)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _unpacked(source: Path, cache_dir: Path) -> Path:
    """The folder holding ``source`` unpacked, made on first use."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    folder = cache_dir / f"langid-{_FORMAT}-{digest}"
    if (folder / "classes.json").is_file():
        return folder
    cache_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".langid-", dir=cache_dir))
    try:
        _unpack(source, scratch)
        try:
            os.rename(scratch, folder)
        except OSError:
            if not (folder / "classes.json").is_file():
                raise
            # Another process renamed its copy into place first: the same bytes, and that
            # process removes the stale copies.
            return folder
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    logger.info("language model unpacked into %s", folder)
    _remove_other_models(folder, digest)
    return folder


def _remove_other_models(folder: Path, digest: str) -> None:
    """Remove the copies of other py3langid models (another hash) beside ``folder``.

    Only other models' copies go: never this model's (in another format too, which an older
    newswatch on this model may still be reading), nor a scratch folder another process is
    writing. Each is renamed away first, so no loader finds it half removed. A
    copy that cannot be removed stays: the cleanup is worth no failure.
    """
    for other in folder.parent.glob("langid-*-*"):
        if other.name.rsplit("-", 1)[1] == digest or not other.is_dir():
            continue
        doomed = folder.parent / f".langid-stale-{other.name}-{os.getpid()}"
        try:
            os.rename(other, doomed)
        except FileNotFoundError:  # another process renamed it away first
            continue
        except OSError as exc:
            logger.warning("stale language model %s not removed (%s)", other, exc)
            continue
        shutil.rmtree(doomed, ignore_errors=True)
        logger.info("stale language model %s removed", other)


def _unpack(source: Path, folder: Path) -> None:
    ptc, pc, classes, nextmove, row, output = load_model(source)
    table = np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode)).reshape(-1, 256)
    # Bytes every state moves on alike (most control bytes, most UTF-8 lead bytes) share
    # one column: 197 columns instead of 256, 8.6 MiB less of the table to hold.
    columns, byte_class = np.unique(table.T, axis=0, return_inverse=True)
    width = len(columns)
    arrays = {
        "ptc": np.asarray(ptc),
        "pc": np.asarray(pc),
        "nextmove": np.ascontiguousarray(columns.T).ravel(),
        "byte_class": byte_class.ravel().astype(np.uint8),
        # Each state's row offset, which py3langid computes at load (row << 8) into a list
        # of 100,000 ints; stored, so that loading builds nothing.
        "rowbase": np.frombuffer(row, dtype=np.dtype(row.typecode)).astype(np.uint32) * width,
        "output": np.asarray(output, dtype=np.int32),
    }
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array, allow_pickle=False)
    # Written last: its presence says the folder is complete.
    (folder / "classes.json").write_text(json.dumps(classes), encoding="utf-8")


class _ByteClassIdentifier(LanguageIdentifier):  # type: ignore[misc]
    """py3langid's identifier walking the column-merged table: each byte of the encoded text
    is replaced by its column (one ``bytes.translate``), and the walk is py3langid's own."""

    __slots__ = ("_byte_classes",)

    def _encode(self, text: str | bytes) -> bytes:
        encoded: bytes = LanguageIdentifier._encode(text)
        return encoded.translate(self._byte_classes)


def _mapped(folder: Path) -> Any:
    a = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    # The DFA walk indexes the tables one byte at a time from Python: memoryviews answer
    # with plain ints, as py3langid's own arrays do, where numpy would box scalars.
    identifier = _ByteClassIdentifier(
        np.asarray(a["ptc"]),  # a plain ndarray view: np.memmap's wrapping costs 10 % a call
        np.array(a["pc"]),
        classes,
        memoryview(a["nextmove"]),
        memoryview(a["output"]),
        norm_probs=True,
        tk_row=(),
    )
    # py3langid's walk reads these two attributes (tests/scraper/test_language_model.py
    # keeps them in step with it).
    identifier._rowbase = memoryview(a["rowbase"])
    identifier._byte_classes = bytes(a["byte_class"])
    return identifier
