"""What kind of edit a new version is: pure functions over two sets of fields.

A version carries a *list* of classes, because one edit can be several things at once (a
corrected name in the headline is ``headline`` and ``name``). Users filter alerts and history
by them. The classes:

``cosmetic``     nothing a reader sees changed; never stored as a version (``storage.fingerprint``)
``minor``        a few words (a spelling fix), or only the byline or published date
``substantive``  sentences added, removed or rewritten
``headline``     the title changed
``correction``   a "Correction:", "Update:", "Editor's note"... paragraph appeared (en/ru/uk/tr/de)
``quotation``    text inside quotation marks changed
``number``       a number changed
``name``         a capitalised name changed (Madinsky → Medinsky)
``retraction``   most of the text gave way to a short note (confirmed before it is recorded;
                 see :mod:`storage.drastic`)
``rewrite``      most of the text was replaced (confirmed likewise)
``unlocked``     the first full text of a paywalled article whose teasers were all that had
                 been seen: recorded, never alerted (the wall opened; the article did not change)

Every text is compared after the typography clean-up of ``storage.fingerprint`` (quotes are
straight, dashes plain), so curly quotes versus straight ones are never an edit.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from storage.diff import count_words, word_diff
from storage.fingerprint import FieldsLike, changed_fields, clean_typography, normalise
from storage.types import DiffOp

CLASSES = (
    "cosmetic",
    "minor",
    "substantive",
    "headline",
    "correction",
    "quotation",
    "number",
    "name",
    "retraction",
    "rewrite",
    "unlocked",
)
LIVE_BLOG_TYPES = frozenset({"liveblogposting"})
# A feature extractor for a run of diff text, given the unchanged text just before it.
Features = Callable[[str, str], Counter[str]]

# Words (and their forms) that start a correction or update note, by language.
_CORRECTION_WORDS = (
    # en
    r"corrections?|correct(?:ed|ion)\s+(?:on|at)|updates?|updated|clarifications?"
    r"|editor'?s'?\s+note|editorial\s+note|errata|erratum"
    # ru
    r"|поправка|уточнение|исправление|обновлено|обновление|примечание\s+редакции|от\s+редакции"
    # uk
    r"|оновлено|оновлення|виправлення|уточнення|примітка\s+редакції|від\s+редакції"
    # tr
    r"|düzeltme|güncelleme|güncellendi|editörün\s+notu|editör\s+notu|açıklama"
    # de
    r"|korrektur|richtigstellung|aktualisiert|aktualisierung|klarstellung"
    r"|anmerkung\s+der\s+redaktion|hinweis\s+der\s+redaktion"
)
# The note word opens the paragraph (maybe in brackets or bold markers) and is followed, within
# a short stretch such as a date, by a colon or a dash: "Update (2 June, 14:00): ...".
_CORRECTION = re.compile(
    rf"^\W{{0,3}}(?:{_CORRECTION_WORDS})\b[^\n]{{0,40}}?(?::|\s-\s|\.\s|\*)", re.IGNORECASE
)
_CORRECTION_SENTENCE = re.compile(
    r"\b(?:this|the)\s+(?:article|story|report)\s+(?:has\s+been|was)\s+"
    r"(?:corrected|updated|amended)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r'"([^"\n]{1,500})"')
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_WHOLE = re.compile(r"\n|[.!?](?:\s|$)")
_SMALL_HUNK_WORDS = 8
_MINOR_MAX_WORDS = 12
_SMALL_TITLE_CHANGE = 4
_REWRITTEN_SHARE = 0.34


def classify(old: FieldsLike, new: FieldsLike) -> tuple[str, ...]:
    """The classes of the edit from ``old`` to ``new``, in :data:`CLASSES` order.

    ``("cosmetic",)`` when no fingerprinted field changed.
    """
    changed = changed_fields(old, new)
    if not changed:
        return ("cosmetic",)
    found: set[str] = set()
    if "title" in changed:
        found.add("headline")
    text_fields = [f for f in ("subtitle", "body") if f in changed]
    if text_fields:
        found.add(_size_class(old, new, text_fields))
    elif "title" not in changed:
        found.add("minor")  # only the byline or the published date moved
    if "body" in changed and correction_added(old.body, new.body):
        found.add("correction")
    diffs = [word_diff(getattr(old, f), getattr(new, f)) for f in text_fields]
    if "title" in changed:
        title_ops = word_diff(old.title, new.title)
        # A rewritten headline is just that: in Title Case every word looks like a name.
        if sum(count_words(title_ops)) <= _SMALL_TITLE_CHANGE:
            diffs.append(title_ops)
    if quotations_changed(old, new):
        found.add("quotation")
    if any(_hunks_differ(ops, _numbers) for ops in diffs):
        found.add("number")
    if any(_hunks_differ(ops, _names) for ops in diffs):
        found.add("name")
    return tuple(c for c in CLASSES if c in found)


def correction_added(old_body: str | None, new_body: str | None) -> bool:
    """Whether the new body has a correction/update note paragraph the old one lacked."""
    before = set(paragraphs(old_body))
    return any(is_correction_note(p) for p in paragraphs(new_body) if p not in before)


def is_correction_note(paragraph: str) -> bool:
    """Whether one paragraph reads as a correction, update or editor's note."""
    text = normalise(paragraph)
    return bool(_CORRECTION.match(text) or _CORRECTION_SENTENCE.search(text))


def quotations_changed(old: FieldsLike, new: FieldsLike) -> bool:
    """Whether the text inside double quotation marks (any typographic form) changed."""
    return _quotations(old) != _quotations(new)


def is_update(old_body: str | None, new_body: str | None, *, page_type: str | None) -> bool:
    """Whether a change is a live blog growing rather than an edit.

    True for a page that declares itself a ``LiveBlogPosting``, or when the new body is the old
    one with paragraphs added only above or below it (nothing removed or changed).
    """
    if page_type and page_type.lower() in LIVE_BLOG_TYPES:
        return True
    before, after = paragraphs(old_body), paragraphs(new_body)
    if not before or len(after) <= len(before):
        return False
    n = len(before)
    return after[:n] == before or after[-n:] == before


def paragraphs(body: str | None) -> list[str]:
    """The body's non-empty paragraphs (one per line), normalised."""
    if not body:
        return []
    return [p for p in (normalise(line) for line in body.splitlines()) if p]


def _size_class(old: FieldsLike, new: FieldsLike, fields: Sequence[str]) -> str:
    """``substantive`` when sentences were added, removed or rewritten, else ``minor``."""
    changed_words = 0
    for name in fields:
        a, b = _sentences(getattr(old, name)), _sentences(getattr(new, name))
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag != "replace" or i2 - i1 != j2 - j1:
                return "substantive"  # a sentence appeared or disappeared
            for before, after in zip(a[i1:i2], b[j1:j2], strict=True):
                added, removed = count_words(word_diff(before, after))
                length = max(len(_WORD.findall(before)), 1)
                if max(added, removed) > max(3, _REWRITTEN_SHARE * length):
                    return "substantive"  # the sentence was rewritten
                changed_words += added + removed
    return "substantive" if changed_words > _MINOR_MAX_WORDS else "minor"


def _sentences(text: str | None) -> list[str]:
    return [s for p in paragraphs(text) for s in _SENTENCE_END.split(p) if s]


def _quotations(fields: FieldsLike) -> Counter[str]:
    found: Counter[str] = Counter()
    for text in (fields.title, fields.subtitle, *paragraphs(fields.body)):
        if text:
            found.update(normalise(q) for q in _QUOTED.findall(clean_typography(text)))
    return found


def _hunks_differ(ops: Sequence[DiffOp], features: Features) -> bool:
    """Whether a small changed stretch (≤ 8 words a side) differs in ``features``.

    Large hunks are rewrites (``substantive``), and a paragraph or sentence added or removed
    whole is new text rather than a changed name or number: neither counts here.
    """
    for context, removed, added in _hunks(ops):
        if not (removed and added) and _WHOLE.search(removed or added):
            continue
        size = max(len(_WORD.findall(removed)), len(_WORD.findall(added)))
        if size <= _SMALL_HUNK_WORDS and features(removed, context) != features(added, context):
            return True
    return False


def _hunks(ops: Sequence[DiffOp]) -> Iterator[tuple[str, str, str]]:
    """Each changed stretch as (the unchanged text before it, removed text, added text)."""
    context = ""
    i = 0
    while i < len(ops):
        op = ops[i]
        if op.op == "equal":
            context = op.text
        elif op.op == "delete" and i + 1 < len(ops) and ops[i + 1].op == "insert":
            yield context, op.text, ops[i + 1].text
            i += 1
        elif op.op == "delete":
            yield context, op.text, ""
        else:
            yield context, "", op.text
        i += 1


def _numbers(text: str, context: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text) if _DIGIT.search(w))


def _names(text: str, context: str) -> Counter[str]:
    """Capitalised words that are not merely the first word of a sentence."""
    names: Counter[str] = Counter()
    previous = context.rstrip()
    for match in re.finditer(r"\S+", text):
        token = match.group()
        word = _WORD.search(token)
        starts_sentence = not previous or previous[-1] in ".!?:\n\"'"
        if word and word.group()[0].isupper() and not starts_sentence:
            names[word.group()] += 1
        previous = token
    return names
