"""The extraction process's side: read pages from the daemon, send back what they say.

Run by :class:`scheduler.extraction.ExtractionProcesses` as ``python -P -m
scheduler.extraction_child``. Frames on standard input and output are a 4-byte big-endian
length and a pickle: the daemon sends ``(number, scheduler.reading.Request)``; the child answers
``(number, scheduler.reading.Reading)``, or ``(number, (kind, message, traceback))`` when
reading the page met an error. Pages are read one at a time, in the order they came, so answers
come back in that order.

It imports the extractor, the verdicts and storage's pure modules (fingerprints, MinHash
signatures), and nothing else of the daemon's (no database, no HTTP client): the process stays
small. Standard input closing, which is how the daemon ends it and also what happens when the
daemon dies however it dies, ends it.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import pickle
import signal
import struct
import sys
import traceback
import types
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from scheduler.reading import Request

HEADER = struct.Struct(">I")
# The room of both pipes, pages in and answers out (:func:`widen_pipe`): Linux gives a pipe
# 64 kB. A page is 100-200 kB (the daemon widens that pipe, scheduler.extraction), and a
# page's answer (its fields, its signature, the page packed for the snapshot store) 35 kB at
# the median and several hundred kB for a big page. With 64 kB for answers this process
# waited, its next page unread, until the daemon's event loop had taken the answer before:
# 5 % of an ingest in the pipeline bench.
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process's pipe


def read_frame(stream: BinaryIO) -> bytes | None:
    """One frame's payload, or None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def answer(number: int, request: Request) -> bytes:
    """The frame that answers one page: what it says, or why it could not be read."""
    from scheduler.reading import read_page  # loaded by main(), after storage's stand-in

    try:
        read: object = read_page(request)  # a page with nothing to extract says so itself
    except Exception as error:  # a hostile page met a bug: the daemon logs it, we go on
        read = (type(error).__name__, str(error), traceback.format_exc())
    return frame(pickle.dumps((number, read), protocol=pickle.HIGHEST_PROTOCOL))


def storage_without_its_package() -> None:
    """Let ``storage``'s pure modules be imported without running ``storage/__init__``.

    The package's ``__init__`` imports the whole database layer (SQLAlchemy, the tables, the
    migrations): 40 MB this process never uses, to reach three modules that import only numpy
    and the standard library. A bare module standing for the package, with its real path, lets
    ``import storage.digest`` find those files as usual.
    """
    if "storage" in sys.modules:
        return
    spec = importlib.util.find_spec("storage")
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError("the storage package is not installed beside the scheduler")
    package = types.ModuleType("storage", "storage's pure modules (scheduler.extraction_child)")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["storage"] = package


def widen_pipe(fd: int) -> None:
    """Give the pipe behind ``fd`` room for :data:`PIPE_BYTES` (where Linux allows)."""
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    with contextlib.suppress(OSError):  # not a pipe, or above /proc/sys/fs/pipe-max-size
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def main() -> None:
    # The daemon decides when this process ends (by closing its input); Ctrl-C in a terminal
    # reaches the whole process group and must not print a traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    storage_without_its_package()
    import scheduler.reading  # noqa: F401  (the extractor and storage's pure modules, once)

    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    widen_pipe(answers.fileno())
    # Anything printed by accident goes to the daemon's log, never into the answers.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    while (payload := read_frame(requests)) is not None:
        number, request = pickle.loads(payload)
        answers.write(answer(number, request))
        answers.flush()


if __name__ == "__main__":
    main()
