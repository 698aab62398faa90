"""The topic filter: a small boolean query language matched on an article's text.

Grammar (implicit AND between adjacent terms; NOT binds tightest, then AND, then OR)::

    query  := or
    or     := and ("OR" and)*
    and    := unary (["AND"] unary)*
    unary  := "NOT" unary | "-" unary | "(" or ")" | term
    term   := word | word* | "exact phrase" | "phrase with a prefix*"

Matching is case- and diacritic-insensitive (Turkish İ/ı, Cyrillic ё/е, Ukrainian ї/і fold too)
and respects word boundaries: ``talk`` does not match "talks", ``talk*`` does. Operators are
upper case (``AND``, ``OR``, ``NOT`` or ``-``); lower-case "and"/"or" are ordinary words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(?P<lparen>\()|(?P<rparen>\))|"(?P<phrase>[^"]*)"|(?P<word>[^\s()"]+))')
_WORD = re.compile(r"\w+")
# Groups and NOTs inside one another: parsing and matching recurse once a level, and a long
# enough run of parentheses (a topic comes from the API too) went past the recursion limit.
MAX_NESTING = 32
_SPECIAL_FOLDS = (("ı", "i"), ("İ", "i"), ("ё", "е"), ("Ё", "е"), ("ß", "ss"))


class TopicQueryError(ValueError):
    """A query that cannot be parsed; the message shows where."""

    def __init__(self, message: str, *, query: str, position: int) -> None:
        pointer = " " * position + "^"
        super().__init__(f"{message} at position {position}:\n  {query}\n  {pointer}")
        self.position = position


def fold(text: str) -> str:
    """Lower-case, strip diacritics, unify letters that readers treat as the same."""
    if text.isascii():  # nothing to strip or unify, and the check is O(1)
        return text.lower()
    # A C scan per special letter, then a replace where it occurs: str.translate looks every
    # character of the text up in a dict, 0.27 ms of a 0.48 ms fold on fundus-dev's bodies.
    for letter, folded in _SPECIAL_FOLDS:
        if letter in text:
            text = text.replace(letter, folded)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a prefix (``talk*``) or a phrase (``"peace talk*"``: its last word may be one)."""

    words: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False
    text: str = ""  # as written (unfolded, without the "*"), for search engines

    def matches(self, joined: str) -> bool:
        """Whether the term occurs in ``joined``: the folded words, each after a space."""
        phrase = f" {' '.join(self.words)}"
        # A prefix ("talk*", "peace talk*") may go on with more letters; a word may not.
        return phrase in joined if self.prefix else f"{phrase} " in joined


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node

    def matches(self, joined: str) -> bool:
        return not self.operand.matches(joined)


@dataclass(frozen=True, slots=True)
class All:
    operands: tuple[Node, ...]

    def matches(self, joined: str) -> bool:
        return all(op.matches(joined) for op in self.operands)


@dataclass(frozen=True, slots=True)
class Any:
    operands: tuple[Node, ...]

    def matches(self, joined: str) -> bool:
        return any(op.matches(joined) for op in self.operands)


Node = Term | Not | All | Any


class TopicQuery:
    """A parsed query; an empty query matches everything."""

    def __init__(self, query: str) -> None:
        self.text = query
        self._root = _Parser(query).parse() if query.strip() else None

    @property
    def root(self) -> Node | None:
        """The parsed query (``None`` for the empty query), for translating it elsewhere."""
        return self._root

    def matches(self, *texts: str | None) -> bool:
        """Whether the texts (title, subtitle, body…) match; a phrase never spans two texts."""
        if self._root is None:
            return True
        fields = [_WORD.findall(fold(t)) for t in texts if t]
        # Every word after a space, so a term is a substring test in C. "|" is not a word
        # character, so no phrase can match across the seam of two fields.
        joined = " " + " | ".join(" ".join(field) for field in fields) + " "
        return self._root.matches(joined)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = self._lex(query)
        self.index = 0
        self.depth = 0

    def _lex(self, query: str) -> list[tuple[str, str, int]]:
        tokens = []
        position = 0
        while position < len(query):
            match = _TOKEN.match(query, position)
            if match is None or match.end() == position:
                if query[position:].strip():
                    raise TopicQueryError("unbalanced quote", query=self.query, position=position)
                break
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind), match.start(kind)))
            position = match.end()
        return tokens

    def parse(self) -> Node:
        node = self._or()
        if self.index < len(self.tokens):
            _, value, pos = self.tokens[self.index]
            raise TopicQueryError(f"unexpected {value!r}", query=self.query, position=pos)
        return node

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token and token[0] == "word" and token[1] == word:
            self.index += 1
            return True
        return False

    def _or(self) -> Node:
        operands = [self._and()]
        while self._keyword("OR"):
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Any(tuple(operands))

    def _and(self) -> Node:
        operands = [self._unary()]
        while True:
            token = self._peek()
            if token is None or token[0] == "rparen" or (token[0] == "word" and token[1] == "OR"):
                break
            self._keyword("AND")
            operands.append(self._unary())
        return operands[0] if len(operands) == 1 else All(tuple(operands))

    def _unary(self) -> Node:
        self.depth += 1
        try:
            return self._operand()
        finally:
            self.depth -= 1

    def _operand(self) -> Node:
        token = self._peek()
        if token is None:
            raise TopicQueryError(
                "query ends too early", query=self.query, position=len(self.query)
            )
        kind, value, pos = token
        if self.depth > MAX_NESTING + 1:  # the word inside the groups is a level too
            raise TopicQueryError(
                f"groups and NOTs are nested more than {MAX_NESTING} deep",
                query=self.query,
                position=pos,
            )
        self.index += 1
        if kind == "word" and value in ("NOT", "-"):
            return Not(self._unary())
        if kind == "word" and value.startswith("-") and len(value) > 1:
            return Not(self._term(kind, value[1:], pos + 1))
        if kind == "lparen":
            node = self._or()
            closing = self._peek()
            if closing is None or closing[0] != "rparen":
                raise TopicQueryError("missing ')'", query=self.query, position=pos)
            self.index += 1
            return node
        if kind == "rparen" or value in ("AND", "OR"):
            raise TopicQueryError(f"unexpected {value!r}", query=self.query, position=pos)
        return self._term(kind, value, pos)

    def _term(self, kind: str, value: str, pos: int) -> Term:
        prefix = value.rstrip().endswith("*")
        words = tuple(_WORD.findall(fold(value.rstrip().rstrip("*") if prefix else value)))
        if not words:
            raise TopicQueryError(
                f"{value!r} has no letters or digits to match", query=self.query, position=pos
            )
        text = value.strip().rstrip("*").strip()
        if kind == "word" and len(words) > 1:
            # "Zelensky-Putin" or "İstanbul'da" reads as the phrase of its words.
            return Term(words=words, prefix=prefix, phrase=True, text=text)
        return Term(words=words, prefix=prefix, phrase=kind == "phrase", text=text)
