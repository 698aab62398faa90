"""Word-level diffs between two versions of a field, and the short summary alerts carry.

Tokens are words and single punctuation marks, each keeping the whitespace before it, so a run
of tokens renders as it read (after the typography clean-up of ``fingerprint``: straight quotes,
plain dashes). Tokens are matched without their whitespace, so re-wrapping is not a change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from storage.fingerprint import (
    clean_typography,
    normalise,
    normalise_authors,
    normalise_published,
)
from storage.types import DiffOp

_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])")
_WORD = re.compile(r"\w")
_MINUS = "\u2212"
_ARROW = "\u2192"


def tokenise(text: str | None) -> list[str]:
    """Split ``text`` into tokens that keep their leading whitespace."""
    return _TOKEN.findall(clean_typography(text)) if text else []


def word_diff(old: str | None, new: str | None) -> list[DiffOp]:
    """Diff two texts word by word: ``equal`` runs, ``delete`` runs (old) and ``insert`` runs."""
    return list(_word_diff(old, new))


# Storing an edit diffs its body for the stored diff and again for its classes
# (storage.classify): the last few diffs are kept so the second asks for the first's result.
# The texts' hashes are cached by the str objects, so a lookup does not rehash a long body.
@lru_cache(maxsize=8)
def _word_diff(old: str | None, new: str | None) -> tuple[DiffOp, ...]:
    a, b = tokenise(old), tokenise(new)
    ka, kb = [t.strip() for t in a], [t.strip() for t in b]
    # Most edits touch a few words of a long body: trim the common ends before the quadratic part.
    head = 0
    while head < min(len(ka), len(kb)) and ka[head] == kb[head]:
        head += 1
    tail = 0
    while tail < min(len(ka), len(kb)) - head and ka[-1 - tail] == kb[-1 - tail]:
        tail += 1
    ops: list[DiffOp] = []
    _emit(ops, "equal", b[:head])
    # autojunk would treat "the" and "," as junk in long texts and produce odd alignments.
    matcher = difflib.SequenceMatcher(
        None, ka[head : len(ka) - tail], kb[head : len(kb) - tail], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _emit(ops, "equal", b[head + j1 : head + j2])
            continue
        _emit(ops, "delete", a[head + i1 : head + i2])
        _emit(ops, "insert", b[head + j1 : head + j2])
    _emit(ops, "equal", b[len(b) - tail :])
    return tuple(ops)


def _emit(ops: list[DiffOp], op: Any, tokens: Sequence[str]) -> None:
    """Append a run, merging with the previous run of the same kind."""
    if not tokens:
        return
    text = "".join(tokens)
    if ops and ops[-1].op == op:
        ops[-1] = DiffOp(op, ops[-1].text + text)
    else:
        ops.append(DiffOp(op, text))


def field_diff(field: str, old: Any, new: Any) -> list[DiffOp]:
    """The diff of one fingerprinted field (authors as a name list, published as one value)."""
    if field == "authors":
        return _names_diff(normalise_authors(old or ()), normalise_authors(new or ()))
    if field == "published":
        before, after = _when(old), _when(new)
        ops = [DiffOp("delete", before)] if before else []
        return ops + [DiffOp("insert", after)] if after else ops
    return word_diff(old, new)


def _names_diff(old: Sequence[str], new: Sequence[str]) -> list[DiffOp]:
    """Sorted author lists compared name by name, each run written comma-separated."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(DiffOp("equal", ", ".join(new[j1:j2])))
            continue
        if i2 > i1:
            ops.append(DiffOp("delete", ", ".join(old[i1:i2])))
        if j2 > j1:
            ops.append(DiffOp("insert", ", ".join(new[j1:j2])))
    return ops


def _when(value: datetime | None) -> str:
    return normalise_published(value).replace("T", " ").replace("Z", " UTC")


def count_words(ops: Sequence[DiffOp]) -> tuple[int, int]:
    """Words (not punctuation) inserted and deleted, as ``(added, removed)``."""
    added = removed = 0
    for op in ops:
        if op.op == "equal":
            continue
        words = sum(1 for token in _TOKEN.findall(op.text) if _WORD.search(token))
        if op.op == "insert":
            added += words
        else:
            removed += words
    return added, removed


def summarise_changes(
    diffs: Mapping[str, Sequence[DiffOp]], *, limit: int = 5, width: int = 80
) -> list[str]:
    """Short human lines such as ``"Madinsky → Medinsky"``, ``"+ words"``, ``"− words"``.

    At most ``limit`` lines (plus one saying how many more), each side cut to ``width`` chars.
    """
    lines: list[str] = []
    for ops in diffs.values():
        i = 0
        while i < len(ops):
            op = ops[i]
            if op.op == "delete" and i + 1 < len(ops) and ops[i + 1].op == "insert":
                lines.append(f"{_short(op.text, width)} {_ARROW} {_short(ops[i + 1].text, width)}")
                i += 2
                continue
            if op.op == "insert":
                lines.append(f"+ {_short(op.text, width)}")
            elif op.op == "delete":
                lines.append(f"{_MINUS} {_short(op.text, width)}")
            i += 1
    if len(lines) > limit:
        hidden = len(lines) - limit
        lines = [*lines[:limit], f"\u2026 and {hidden} more change{'s' if hidden > 1 else ''}"]
    return lines


def _short(text: str, width: int) -> str:
    text = normalise(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


STORED_CONTEXT = 10  # tokens of unchanged text a stored diff keeps on each side of a change


def ops_to_json(
    ops: Sequence[DiffOp], *, context: int | None = STORED_CONTEXT
) -> list[list[str | int]]:
    """The stored form of a diff: ``[[op, text], ...]``, unchanged stretches cut short.

    An ``equal`` run keeps ``context`` tokens (words and punctuation) next to each change; the
    tokens between are counted in a ``["skip", n]`` entry. The versions' own fields hold the
    full texts, and every diff shown is computed from them (``storage.diff_between``): a stored
    diff that repeated the unchanged body would store each edited version's text twice.
    ``context=None`` keeps every run whole.
    """
    stored: list[list[str | int]] = []
    last = len(ops) - 1
    for i, op in enumerate(ops):
        if op.op != "equal" or context is None:
            stored.append([op.op, op.text])
            continue
        tokens = _TOKEN.findall(op.text)
        head = context if i > 0 else 0  # what follows a change
        tail = context if i < last else 0  # what precedes the next change
        if len(tokens) <= head + tail:
            stored.append([op.op, op.text])
            continue
        if head:
            stored.append(["equal", "".join(tokens[:head])])
        stored.append(["skip", len(tokens) - head - tail])
        if tail:
            stored.append(["equal", "".join(tokens[len(tokens) - tail :])])
    return stored


def ops_from_json(data: Sequence[Sequence[str | int]]) -> list[DiffOp]:
    """The runs of a diff stored whole (``context=None``); see :func:`ops_to_json`."""
    if any(op == "skip" for op, _ in data):
        raise ValueError(
            "a stored diff with skipped runs cannot be read back whole: "
            "compute it from the versions (storage.diff_between)"
        )
    return [DiffOp(op, text) for op, text in data]  # type: ignore[arg-type]
