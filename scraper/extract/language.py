"""The language of an article: identified from its text, with what the page declares as evidence.

Pages often declare no language, or the wrong one (a German blog on an English template says
``<html lang="en">``). The text decides; declarations win only where the text cannot tell:
when it is too short, when the identifier is unsure, or when the declared language is a close
sibling of the identified one (Bosnian and Croatian, Norwegian and Danish), which n-gram
statistics confuse. Identification uses py3langid's model, which ships with that package,
memory-mapped (scraper.extract.language_model).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from scraper.extract.evidence import Tally
from scraper.extract.language_model import load_identifier

_SAMPLE_CHARS = 240  # enough text to tell 97 languages apart; more only costs time
_MIN_LETTERS = 40  # below this the text is no evidence
_SURE = 0.9  # identifier probability above which the text overrules a declaration
_LINE_MIN = 40  # body lines shorter than this (datelines, captions) are skipped
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Languages n-gram models mix up; a declaration naming a sibling of the identified language
# is taken at its word.
_SIBLINGS = (
    frozenset({"no", "nb", "nn", "da"}),
    frozenset({"bs", "hr", "sr", "sh", "me"}),
    frozenset({"ms", "id"}),
    frozenset({"cs", "sk"}),
    frozenset({"gl", "pt"}),
    frozenset({"ca", "oc"}),
    frozenset({"af", "nl"}),
    frozenset({"fa", "prs"}),
    frozenset({"hi", "mr", "ne"}),
    frozenset({"zh", "yue"}),
)
# Stopwords that only the declared language uses this often: when a sample is full of them,
# the declaration is confirmed by the text without running the model.
_COMMON = {
    "en": """the and of to in a that for with was are this have has from which were been their
        would it is on by be as at""".split(),
    "de": """der die und das ist nicht mit sich auf für dem den des ein eine auch wird von ich es
        zu im sie wir du bei nach aus wie oder aber noch nur sind hat wurde werden einen einem
        dass""".split(),
    "fr": """le la les des et est une pour dans que qui sur pas par au aux ce du il avec sont ne
        se""".split(),
    "es": "el la los las del que por con una para es se lo más como al su fue y en".split(),
    "it": "il di che la per non una sono della con del gli le si anche nel alla è e un i".split(),
    "pt": "os do da dos das em não uma com para que ao mais pelo pela como é o e no na a".split(),
    "nl": "de het een en van is niet dat op zijn met voor ook maar bij om te er die aan".split(),
    "pl": "się nie na jest że w z jak dla od po przez co ale tak oraz był być".split(),
    "ru": "и в не на что с по это как из он за его но был для от".split(),
    "uk": "і в на що з не та до це як за від його які був для".split(),
    "tr": "ve bir bu da de için ile olarak daha çok gibi olan ama en".split(),
}
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _COMMON.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _lang)
_CONFIRM_SHARE = 0.10  # of a sample's words that must be one language's stopwords
_CONFIRM_KINDS = 3  # distinct stopwords needed as well
_LEANING = 2  # common words enough for the text to support a declaration
_MARGIN = 2.0  # times more hits than any other language
# Scripts only one language writes (among those the model knows well).
_SCRIPTS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # kana
    (re.compile(r"[\uac00-\ud7a3]"), "ko"),  # hangul
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0530-\u058f]"), "hy"),
    (re.compile(r"[\u10a0-\u10ff]"), "ka"),
)
_SCRIPT_SHARE = 5  # characters of the script needed in the sample
# Any of those scripts: one search that fails fast on Latin text with curly quotes.
_ONE_LANGUAGE_SCRIPT = re.compile(
    "[" + "".join(pattern.pattern.strip("[]") for pattern, _ in _SCRIPTS) + "]"
)


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


_model: _Identifier | None = None
_lock = threading.Lock()


def _identifier() -> _Identifier:
    """The py3langid model, mapped once per process on first use (see language_model)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_identifier()
    return _model


@dataclass(frozen=True, slots=True)
class Language:
    """The chosen language tag, its signal category, and the candidates weighed."""

    tag: str | None
    signal: str | None
    tally: Tally


def language_tag(value: str | None) -> str | None:
    """A BCP 47 tag from ``en_US``, ``EN-us``, ``ru``…; None for anything else."""
    if not value:
        return None
    value = value.strip().replace("_", "-").split(",")[0].split(";")[0].strip()
    if not _TAG.fullmatch(value):
        return None
    parts = value.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def text_sample(title: str | None, lines: Sequence[str]) -> str:
    """The text to identify: the article's prose first, the title when there is little."""
    parts: list[str] = []
    size = 0
    for line in lines:
        if len(line) >= _LINE_MIN:
            parts.append(line)
            size += len(line)
            if size >= _SAMPLE_CHARS:
                break
    if size < _SAMPLE_CHARS and title:
        parts.insert(0, title)
    return " ".join(parts)[:_SAMPLE_CHARS]


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0]


def _siblings(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _SIBLINGS)


def common_words_language(sample: str) -> str | None:
    """The language whose commonest words fill the sample, when one clearly does.

    Eleven languages cover most pages, and a few scripts belong to one language each; a clear
    verdict here spares the n-gram model.
    """
    return _common_words(sample)[0]


def _common_words(sample: str) -> tuple[str | None, str | None]:
    """(the language the sample clearly is, the one its common words lean to)."""
    if not sample.isascii() and _ONE_LANGUAGE_SCRIPT.search(sample, 0, 200):
        for script, lang in _SCRIPTS:
            if len(script.findall(sample, 0, 200)) >= _SCRIPT_SHARE:
                return lang, lang
    # Whitespace words: a stopword glued to punctuation ("the,") goes uncounted, which costs
    # little, while a regex split costs four times as much.
    words = sample.lower().split()
    hits: dict[str, int] = {}
    seen: set[str] = set()
    get = _LANGUAGES_OF.get
    for word in words:
        langs = get(word)
        if langs:
            seen.add(word)
            for lang in langs:
                hits[lang] = hits.get(lang, 0) + 1
    if not hits:
        return None, None
    ranked = sorted(hits.items(), key=lambda item: item[1], reverse=True)
    best, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    leaning = best if count >= _LEANING and count > runner_up else None
    if count < _CONFIRM_SHARE * len(words) or count < _MARGIN * runner_up:
        return None, leaning
    kinds = sum(1 for word in seen if best in _LANGUAGES_OF[word])
    return (best if kinds >= _CONFIRM_KINDS else None), leaning


def choose_language(declared: Sequence[tuple[str, str, str | None]], sample: str) -> Language:
    """The article's language.

    ``declared`` are ``(source, signal, value)`` declarations, strongest first (``<html
    lang>``, ``Content-Language``, ``og:locale``, JSON-LD ``inLanguage``).
    """
    tally = Tally("language")
    tags: list[tuple[int, str, str]] = []
    for source, signal, value in declared:
        tag = language_tag(value)
        if value and not tag:
            tally.reject(tally.offer(source, value), "not a language tag")
        elif tag:
            tags.append((tally.offer(source, tag), signal, tag))
    if len(sample) < _MIN_LETTERS:
        return _declared_wins(tally, tags, "too little text to identify")
    common, leaning = _common_words(sample)
    if common is not None:
        found, probability = common, 1.0
        how = f"the text's commonest words are {found}"
    elif tags and _primary(tags[0][2]) == leaning:
        # Too few common words to be sure, but more of the declared language's than of any
        # other: the text supports the declaration.
        return _declared_wins(tally, tags, "declared; the text's common words lean to it")
    elif tags and _primary(tags[0][2]) not in _COMMON:
        # The declared language is one the common words cannot confirm (Swedish, Hindi…),
        # and the text is not one of those they know: nothing contradicts the declaration,
        # and the model would cost a quarter of a millisecond to agree.
        return _declared_wins(tally, tags, "declared; the text reads as no other language")
    else:
        found, probability = _identifier().classify(sample)
        how = f"the text reads as {found} (py3langid, p={probability:.2f})"
    text_row = tally.offer("text", found, how)
    agreeing = next((t for t in tags if _siblings(_primary(t[2]), found)), None)
    if agreeing is not None:
        row, signal, tag = agreeing
        tally.elect(row, how)
        tally.reject(text_row, "agrees with the declaration, which is more precise")
        _agree(tally, tags, _primary(tag))
        return Language(tag, signal, tally)
    if probability >= _SURE or not tags:
        tally.elect(text_row, how + ("" if not tags else ": the declarations are wrong"))
        tally.settle(f"the text is {found}")
        return Language(found, "text", tally)
    tally.reject(text_row, f"identifier unsure (p={probability:.2f})")
    return _declared_wins(tally, tags, "")


def _agree(tally: Tally, tags: list[tuple[int, str, str]], primary: str) -> None:
    for row, _, tag in tags:
        tally.reject(row, "agrees" if _primary(tag) == primary else "the text says otherwise")


def _declared_wins(tally: Tally, tags: list[tuple[int, str, str]], why: str) -> Language:
    if not tags:
        return Language(None, None, tally)
    row, signal, tag = tags[0]
    tally.elect(row, why or "declared by the page")
    tally.settle("a weaker declaration")
    return Language(tag, signal, tally)
