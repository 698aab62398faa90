"""The search query language, parsed once and written out for each engine.

Users type: words, ``"exact phrases"``, ``prefix*``, ``OR`` between alternatives, ``NOT word``
or ``-word`` to exclude, and parentheses. Words next to each other must all match. The parsed
query is rendered as an FTS5 ``MATCH`` expression or a PostgreSQL ``tsquery``; every term is
re-tokenised into plain letter/digit runs and quoted, so nothing a user types can reach either
engine's own syntax. Anything that cannot be understood raises
:class:`~storage.exceptions.SearchQueryError` before any SQL runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.exceptions import SearchQueryError

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
# Groups and NOTs inside one another: the parser and the SQL writer recurse once a level, and
# a thousand characters of parentheses went past Python's recursion limit.
MAX_NESTING = 32

# Runs of letters and digits: what FTS5's unicode61 tokenizer and PostgreSQL's parser both
# treat as words (underscore separates words in both, so it is not a word character here).
_TOKEN = re.compile(r"[^\W_]+")
_LEXER = re.compile(r'\s+|(?P<quote>-?"[^"]*"\*?)|(?P<open>-?\()|(?P<close>\))|(?P<word>[^\s"()]+)')


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase: tokens that must appear in this order; the last may be a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


def parse(query: str) -> Node:
    """Parse a user's query; :class:`SearchQueryError` says what is wrong with it."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(query[:80] + "…", f"it is longer than {MAX_QUERY_CHARS} characters")
    parser = _Parser(query, _lex(query))
    node = parser.parse_or()
    if parser.pos != len(parser.tokens):
        raise SearchQueryError(query, "a closing parenthesis has no opening one")
    if parser.terms == 0:
        raise SearchQueryError(query, "it has no words to search for")
    if parser.terms > MAX_TERMS:
        raise SearchQueryError(query, f"it has more than {MAX_TERMS} words")
    _check_positive(query, node)
    return node


def to_fts5(node: Node) -> str:
    """The node as an SQLite FTS5 MATCH expression (fully parenthesised, every term quoted)."""
    if isinstance(node, Term):
        return '"' + " ".join(node.tokens) + '"' + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(c) for c in node.children) + ")"
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        negatives = [c.node for c in node.children if isinstance(c, Not)]
        text = "(" + " AND ".join(to_fts5(c) for c in positives) + ")"
        for negative in negatives:  # FTS5's NOT is binary: "a NOT b"
            text = f"({text} NOT {to_fts5(negative)})"
        return text
    raise AssertionError(f"a bare NOT reached rendering: {node!r}")  # _check_positive stops it


def to_tsquery(node: Node) -> str:
    """The node as PostgreSQL ``to_tsquery`` text (lexemes quoted, phrases with ``<->``)."""
    if isinstance(node, Term):
        lexemes = ["'" + token.replace("'", "''") + "'" for token in node.tokens]
        if node.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"
    if isinstance(node, Not):
        return "!" + to_tsquery(node.node)
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(c) for c in node.children) + ")"


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        match = _LEXER.match(query, pos)
        if match is None:  # only an unmatched quote can stop the lexer
            raise SearchQueryError(query, "a quotation mark is not closed")
        pos = match.end()
        if match.lastgroup is not None:
            tokens.append((match.lastgroup, match.group(match.lastgroup)))
    return tokens


class _Parser:
    """Recursive descent: or := and ("OR" and)*; and := unary+; unary := [NOT|-] atom."""

    def __init__(self, query: str, tokens: list[tuple[str, str]]) -> None:
        self.query, self.tokens, self.pos, self.terms = query, tokens, 0, 0
        self.depth = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse_or(self) -> Node:
        alternatives = [self._parse_and()]
        while self._peek() == ("word", "OR"):
            self.pos += 1
            if self._peek() is None or self._peek() == ("close", ")"):
                raise SearchQueryError(self.query, "OR needs a word after it")
            alternatives.append(self._parse_and())
        return alternatives[0] if len(alternatives) == 1 else Or(tuple(alternatives))

    def _parse_and(self) -> Node:
        children: list[Node] = []
        while (token := self._peek()) is not None and token != ("close", ")"):
            if token == ("word", "OR"):
                if not children:
                    raise SearchQueryError(self.query, "OR needs a word before it")
                break
            if token == ("word", "AND"):  # the default anyway, but it must join two things
                self.pos += 1
                if not children or self._peek() in (None, ("close", ")"), ("word", "OR")):
                    raise SearchQueryError(self.query, "AND needs a word on each side")
                continue
            node = self._parse_unary()
            if node is not None:
                children.append(node)
        if not children:
            raise SearchQueryError(self.query, "there is an empty group or a missing word")
        return children[0] if len(children) == 1 else And(tuple(children))

    def _parse_unary(self) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING + 1:  # the word inside the groups is a level too
                raise SearchQueryError(
                    self.query, f"groups and NOTs are nested more than {MAX_NESTING} deep"
                )
            return self._unary()
        finally:
            self.depth -= 1

    def _unary(self) -> Node | None:
        kind, text = self.tokens[self.pos]
        if (kind, text) == ("word", "NOT"):
            self.pos += 1
            if self._peek() is None or self._peek() in (("close", ")"), ("word", "OR")):
                raise SearchQueryError(self.query, "NOT needs a word after it")
            inner = self._parse_unary()
            return Not(inner) if inner is not None else None
        self.pos += 1
        negated = text.startswith("-") and len(text) > 1
        body = text[1:] if negated else text
        if kind == "open":
            node: Node | None = self.parse_or()
            if self._peek() != ("close", ")"):
                raise SearchQueryError(self.query, "a parenthesis is not closed")
            self.pos += 1
        elif kind == "close":  # pragma: no cover - _parse_and stops before ")"
            raise SearchQueryError(self.query, "a closing parenthesis has no opening one")
        else:
            node = self._term(body, quoted=kind == "quote")
        if node is None:
            return None
        return Not(node) if negated else node

    def _term(self, text: str, *, quoted: bool) -> Term | None:
        prefix = text.endswith("*")
        inner = text.rstrip("*")
        if quoted:
            inner = inner[1:-1]
        tokens = tuple(t.lower() for t in _TOKEN.findall(inner))
        if not tokens:
            if quoted:
                raise SearchQueryError(self.query, "a quoted phrase has no words in it")
            return None  # lone punctuation ("&", "—") is not a search term
        self.terms += len(tokens)
        return Term(tokens, prefix)


def _check_positive(query: str, node: Node) -> None:
    """Every alternative must require some word: "NOT x" alone cannot be searched for."""
    if isinstance(node, Not):
        raise SearchQueryError(query, "it only says what to exclude; add a word to find")
    if isinstance(node, Or):
        for child in node.children:
            _check_positive(query, child)
    elif isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        if not positives:
            raise SearchQueryError(query, "it only says what to exclude; add a word to find")
        for child in node.children:
            _check_positive(query, child.node if isinstance(child, Not) else child)
