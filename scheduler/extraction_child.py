"""The extraction process's side: read pages from the daemon, send back what they say.

Run by :class:`scheduler.extraction.ExtractionProcesses` as ``python -P -m
scheduler.extraction_child``. Frames on standard input and output are a 4-byte big-endian
length and a pickle: the daemon sends ``(number, html, url)``; the child answers
``(number, Extracted)`` or ``(number, (kind, message, traceback))`` for a page it could not
read. Pages are read one at a time, in the order they came, so answers come back in that order.

It imports the extractor and nothing of the daemon's (no database, no HTTP client): the process
stays small. Standard input closing, which is how the daemon ends it and also what happens
when the daemon dies however it dies, ends it.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import traceback
from typing import BinaryIO

from scraper import ExtractionError, extract

HEADER = struct.Struct(">I")


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


def answer(number: int, html: str, url: str | None) -> bytes:
    """The frame that answers one page: what it says, or why it could not be read."""
    try:
        found: object = extract(html, url=url)
    except ExtractionError as error:
        found = ("extraction", str(error), "")
    except Exception as error:  # a hostile page met a bug: the daemon logs it, we go on
        found = (type(error).__name__, str(error), traceback.format_exc())
    return frame(pickle.dumps((number, found), protocol=pickle.HIGHEST_PROTOCOL))


def main() -> None:
    # The daemon decides when this process ends (by closing its input); Ctrl-C in a terminal
    # reaches the whole process group and must not print a traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Anything printed by accident goes to the daemon's log, never into the answers.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    while (payload := read_frame(requests)) is not None:
        number, html, url = pickle.loads(payload)
        answers.write(answer(number, html, url))
        answers.flush()


if __name__ == "__main__":
    main()
