"""Story values and the built-in articles the newsroom can publish.

The built-in articles are invented texts stored as TOML in ``articles/``; a test can also build
its own :class:`Story` and publish it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

#: A body entry starting with this marker is a subheading, rendered as a heading, not a paragraph.
SUBHEADING = "## "

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PATH_FIELDS = ("slug", "lang", "yyyy", "mm", "dd", "yymmdd")


@dataclass(frozen=True)
class Story:
    """One article as its newsroom wrote it.

    ``body`` holds paragraphs in reading order; entries starting with ``"## "`` are subheadings.
    ``path_style`` is a ``str.format`` template over slug, lang, yyyy, mm, dd and yymmdd, e.g.
    ``"/{yyyy}/{mm}/{dd}/{slug}.html"`` or ``"/tr/dunya/{slug}-284913"``. ``outlet`` picks the
    site look (see ``outlets.py``).
    """

    slug: str
    lang: str
    section: str
    title: str
    subtitle: str
    authors: tuple[str, ...]
    published: datetime
    body: tuple[str, ...]
    image: str = ""
    caption: str = ""
    credit: str = ""
    path_style: str = "/{yyyy}/{mm}/{dd}/{slug}.html"
    tags: tuple[str, ...] = ()
    outlet: str = "herald"

    def __post_init__(self) -> None:
        if not _SLUG.match(self.slug):
            raise ValueError(f"story slug {self.slug!r} must be lower-case words joined by '-'")
        if self.published.tzinfo is None or self.published.utcoffset() is None:
            raise ValueError(f"story {self.slug!r}: published must be an aware datetime")
        if not any(not is_subheading(p) for p in self.body):
            raise ValueError(f"story {self.slug!r}: body needs at least one paragraph")
        if not self.path.startswith("/"):
            raise ValueError(f"story {self.slug!r}: path_style must give an absolute path")

    @property
    def path(self) -> str:
        """The URL path the story is published at."""
        p = self.published
        fields = {
            "slug": self.slug,
            "lang": self.lang,
            "yyyy": f"{p.year:04d}",
            "mm": f"{p.month:02d}",
            "dd": f"{p.day:02d}",
            "yymmdd": p.strftime("%y%m%d"),
        }
        try:
            return self.path_style.format(**fields)
        except (KeyError, IndexError) as exc:
            raise ValueError(
                f"story {self.slug!r}: path_style {self.path_style!r} may only use "
                f"{', '.join(_PATH_FIELDS)}"
            ) from exc

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Body paragraphs without the subheadings."""
        return tuple(p for p in self.body if not is_subheading(p))

    @property
    def body_text(self) -> str:
        """The body as ``scraper.Extracted.body`` should read it: one block per line."""
        return "\n".join(heading_text(p) if is_subheading(p) else p for p in self.body)


def is_subheading(entry: str) -> bool:
    """Whether a body entry is a subheading."""
    return entry.startswith(SUBHEADING)


def heading_text(entry: str) -> str:
    """The visible text of a subheading entry."""
    return entry.removeprefix(SUBHEADING).strip()


def story_from_dict(data: dict[str, object]) -> Story:
    """Build a Story from TOML/JSON-shaped data (lists become tuples, ISO strings datetimes)."""
    values = dict(data)
    for key in ("authors", "body", "tags"):
        if key in values:
            values[key] = tuple(values[key])  # type: ignore[arg-type]
    published = values.get("published")
    if isinstance(published, str):
        values["published"] = datetime.fromisoformat(published)
    try:
        return Story(**values)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ValueError(f"not a story: {exc}") from exc


@cache
def builtin_stories() -> dict[str, Story]:
    """The stories shipped in ``articles/*.toml``, by slug, oldest first."""
    folder = resources.files("newswatch.newsroom") / "articles"
    stories = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            stories.append(story_from_dict(tomllib.loads(entry.read_text(encoding="utf-8"))))
    stories.sort(key=lambda s: (s.published, s.slug))
    return {s.slug: s for s in stories}
