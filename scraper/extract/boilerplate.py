"""Removing what is never article text: junk tags, and blocks whose class/id name boilerplate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

# The class/id vocabulary of boilerplate, matched as substrings of class and id values.
STRONG_WORDS = """share sharing social newsletter related comment disqus promo cookie consent
    subscri breadcrumb caption credit byline sidebar widget sponsor advert banner popup modal
    paywall signup sign-up register login recirc recommend trending popular outbrain taboola
    toolbar sr-only screen-reader visually-hidden masthead navbar menu skip-link more-stories
    morestories also-read overlay tooltip affiliate shopping follow reaction
    timestamp dateline pagination pager next-post prev-post post-nav taglist tag-list
    disclaimer copyright adslot adunit adcontainer ad-container ad-slot ad-wrap dfp-
    gpt-ad slideshow carousel lightbox thumbnail avatar jumbotron postmeta entry-utility
    table-of-contents ez-toc lee-tambien leer-tambien lire-aussi leggi-anche czytaj-takze
    flyout appstore donat patreon steady-""".split()
# Words that also name wrappers of real text: they only condemn small blocks.
# "read-more" names a link, and a text folded behind one ("js_readmore"): only a small block
# is the link.
WEAK_WORDS = """author header footer embed video player gallery hero category categories topics
    keywords tags hidden print contact legal icon logo badge button btn callout infobox
    factbox teaser rating vote date read-more readmore""".split()
# Whole class tokens (split on - and _) that are boilerplate on their own but too short to
# match as substrings ("ad" is inside "header", "meta" inside "metadata-free"); a "toc" is a
# table of contents, a "legend" a picture's or a chart's.
_BAD_TOKENS = frozenset(
    {"ad", "ads", "adv", "meta", "share", "tags", "cta", "nav", "toc", "legend"}
)
# Class tokens that mark the article itself; a block carrying one is never dropped by name.
_GOOD_TOKENS = frozenset(
    """article article-body articlebody article-content article-text articletext story
    story-body storybody story-content story-text entry entry-content hentry h-entry post
    post-content
    post-body postbody post-text content main-content main body body-text text page-content
    rich-text richtext prose""".split()
)
# Class tokens that state a property of the block, not what it is: WordPress marks every
# post that has a featured image "has-post-thumbnail", Drupal a promoted node
# "node--promoted", a paper its opinion pieces "commentary". Their words ("thumbnail",
# "promo", "comment") must not condemn the article.
_STATE = re.compile(
    r"^(?:has|with|without)[-_]|--(?:promoted|sticky|featured)$|^commentary$|^commentisfree$"
)
_WEAK_LIMIT = 600  # characters of text under which a weakly named block is dropped
_CACHE_LIMIT = 50_000


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation factored by common prefix: 15x faster than a flat one."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]  # a trie nests without end
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


_STRONG = re.compile(_trie_pattern(STRONG_WORDS))
_WEAK = re.compile(_trie_pattern(WEAK_WORDS))
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
_cache: dict[str, tuple[str, bool] | None] = {}


def boilerplate_name(value: str) -> tuple[str, bool] | None:
    """(word, strong) if a class/id string names boilerplate, else None."""
    cached = _cache.get(value, False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    low = value.lower()
    words = low.split()
    if any(_STATE.search(word) for word in words):
        low = " ".join(word for word in words if not _STATE.search(word))
    result: tuple[str, bool] | None = None
    if not any(_good_word(word) for word in words):
        match = _STRONG.search(low)
        if match:
            result = (match.group(0), True)
        else:
            tokens = set(_TOKEN_SPLIT.split(low))
            bad = tokens & _BAD_TOKENS
            if bad:
                result = (min(bad), True)
            else:
                match = _WEAK.search(low)
                if match:
                    result = (match.group(0), False)
    if len(_cache) > _CACHE_LIMIT:
        _cache.clear()
    _cache[value] = result
    return result


# Good tokens of two words and more name the article's text block even as the stem of a
# longer name ("entry-content-column", "article__body--wide"); one word alone ("post",
# "text") also starts the names of boilerplate ("post-meta", "text-muted").
_GOOD_STEMS = tuple(sorted(token + "-" for token in _GOOD_TOKENS if "-" in token))
_BEM = re.compile(r"_+|-{2,}")


def _good_word(word: str) -> bool:
    """Does this class word name the article's text block (the stem's rest naming no
    boilerplate: "article-body__related" is a box of related links)?"""
    if word in _GOOD_TOKENS:
        return True
    if "-" not in word and "_" not in word:
        return False
    plain = _BEM.sub("-", word)
    if plain in _GOOD_TOKENS:
        return True
    stem = next((stem for stem in _GOOD_STEMS if plain.startswith(stem)), None)
    return stem is not None and boilerplate_name(plain[len(stem) :]) is None


def is_hidden(attrs: dict[str, str | None]) -> bool:
    """Hidden from readers by attribute or inline style (screen-reader text, templates)."""
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if style and "none" in style:
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return attrs.get("aria-hidden") == "true"


# Elements whose text is never article prose. <form> is not one: ASP.NET wraps pages in it.
JUNK_TAGS = frozenset(
    """script style noscript template svg math iframe object embed canvas video audio
    picture figure figcaption button select textarea label nav aside footer dialog
    map head""".split()
)
# Frequent inline elements whose attributes are not worth a call each: links and list
# items are judged by their containers (a share bar is a <ul class="share">, not its <li>s).
_UNREAD_TAGS = frozenset(
    """a li img -comment -text option strong b i em br input source wbr small sup sub u s
    abbr cite code mark q html body -document""".split()
)
_SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CELL_TAGS = frozenset({"tr", "td", "th", "tbody", "thead", "table", "li", "p"})
_EMPTY: tuple[int, ...] = ()


class Judge:
    """Verdicts on elements, each element judged once per page.

    ``chain(node)`` lists the boilerplate elements among a node and its ancestors, which is
    how a paragraph learns that it sits in a comment thread or a related-stories box.
    """

    def __init__(self) -> None:
        # Keyed by mem_id: LexborNode equality serialises both nodes' HTML.
        self._chains: dict[int, tuple[int, ...]] = {}
        # Junk elements (<nav>, <footer>, <figure>…) are never forgiven, whatever they hold.
        self.fatal: set[int] = set()
        # Cookie banners and modals: forgiven only when they hold nearly all of the page's
        # text, which is broken markup (an unclosed banner <div> swallowing the page).
        self.dialogs: set[int] = set()
        # Parents met while walking up, reused by scoring instead of asking lexbor again.
        self.parent: dict[int, LexborNode | None] = {}
        # The class of each element judged boilerplate by its name.
        self.classes: dict[int, str] = {}

    def own(self, node: LexborNode) -> bool:
        """Is this element itself junk, hidden, or named as boilerplate (strong words)?"""
        tag = node.tag
        if tag in JUNK_TAGS:
            return True
        if tag in _UNREAD_TAGS:
            return False
        return _named_or_hidden(node.attributes)

    def chain(self, node: LexborNode) -> tuple[int, ...]:
        """``mem_id``s of boilerplate elements among ``node`` and its ancestors."""
        chains = self._chains
        path = []
        current: LexborNode | None = node
        parents = self.parent
        inherited = _EMPTY
        while current is not None:
            key = current.mem_id
            known = chains.get(key)
            if known is not None:
                inherited = known
                break
            path.append((key, current))
            current = parents[key] = current.parent
        for key, element in reversed(path):
            tag = element.tag  # own()'s first tests, inlined: this loop runs for every ancestor
            if tag in JUNK_TAGS:
                inherited = (*inherited, key)
                self.fatal.add(key)
            elif tag not in _UNREAD_TAGS:
                attrs = element.attributes
                verdict = _verdict(attrs)
                if verdict:
                    inherited = (*inherited, key)
                    if verdict is _DIALOG:
                        self.dialogs.add(key)
                    cls = attrs.get("class")
                    if cls:
                        self.classes[key] = cls
            chains[key] = inherited
        return inherited


def _named_or_hidden(attrs: dict[str, str | None]) -> bool:
    """Hidden, or named with a strong boilerplate word."""
    return bool(_verdict(attrs))


# Words naming what lays itself over the page or asks something of the reader, and the
# readers' own thread: such a block is never the article, however much text it holds (a
# cookie banner's category list, or the comments under an opinion piece, can outweigh a
# short article), so it is never forgiven as a misnamed wrapper.
_DIALOG_WORDS = frozenset("""cookie consent modal popup comment""".split())
_DIALOG = 2  # verdict: a dialog; 1: other strong boilerplate or hidden; 0: neither


def _verdict(attrs: dict[str, str | None]) -> int:
    if not attrs:
        return 0
    if ("style" in attrs or "hidden" in attrs or "aria-hidden" in attrs) and is_hidden(attrs):
        return 1
    named = _name_of(attrs)
    if named is None or not named[1]:
        return 0
    return _DIALOG if named[0] in _DIALOG_WORDS else 1


def _name_of(attrs: dict[str, str | None]) -> tuple[str, bool] | None:
    cls = attrs.get("class")
    ident = attrs.get("id")
    if not (cls or ident):
        return None
    key = f"{cls} {ident}" if cls and ident else cls or ident or ""
    named = _cache.get(key, _MISSING)
    if named is _MISSING:
        return boilerplate_name(key)
    return named  # type: ignore[return-value]


_MISSING = object()
_REMEMBERED = frozenset({"byline", "author", "timestamp", "dateline", "date"})


@dataclass(slots=True)
class Boilerplate:
    """What cleaning the container removed that is worth remembering."""

    bylines: list[str] = field(default_factory=list)
    datelines: list[str] = field(default_factory=list)


_NOSCRIPT_PROSE = 200  # characters of paragraphs that make a <noscript> the article's text


def _holds_prose(node: LexborNode) -> bool:
    """A <noscript> copy of the article, for readers without scripts (Blogger renders the
    post from a script template and prints it again in <noscript>), not a "turn on
    JavaScript" notice."""
    return sum(len(p.text()) for p in node.css("p")) > _NOSCRIPT_PROSE


def clean_container(nodes: list[LexborNode], forgiven: set[int]) -> Boilerplate:
    """Remove junk, hidden and boilerplate-named blocks inside the chosen container nodes.

    ``forgiven`` blocks carry a boilerplate name but hold much of the article's text.
    remove() only unlinks, so meeting a node inside an already removed one is harmless.
    """
    found = Boilerplate()
    doomed: list[LexborNode] = []
    named_nodes: list[tuple[LexborNode, str, bool]] = []
    for root in nodes:
        root_id = root.mem_id
        for node in root.traverse():
            tag = node.tag
            if tag in JUNK_TAGS:
                if tag != "noscript" or not _holds_prose(node):
                    doomed.append(node)
                continue
            if tag in _UNREAD_TAGS or node.mem_id == root_id:
                continue
            attrs = node.attributes
            if not attrs:
                continue
            if ("style" in attrs or "hidden" in attrs or "aria-hidden" in attrs) and is_hidden(
                attrs
            ):
                doomed.append(node)
                continue
            if tag in _SUBHEADINGS and "id" in attrs:
                # A subheading's id is its anchor, made from its words or a prefix ("#nav_…"
                # for a table of contents): only its class says what it is.
                attrs = {"class": attrs.get("class")}
            named = _name_of(attrs)
            if named is None or (not named[1] and tag in _CELL_TAGS):
                continue  # a table row of class "player-17" is data, not a video player
            named_nodes.append((node, *named))
    for node in doomed:
        node.remove()
    # Sizes are measured only now that scripts and styles no longer count as text.
    for node, word, strong in named_nodes:
        if node.mem_id in forgiven:
            continue
        if strong and word not in _REMEMBERED:
            node.remove()
            continue
        text = node.text()
        if not strong and len(text) > _WEAK_LIMIT:
            continue
        if len(text) < 200:
            if word in ("byline", "author"):
                found.bylines.append(text)
            elif word in ("timestamp", "dateline", "date"):
                found.datelines.append(text)
        node.remove()
    return found
