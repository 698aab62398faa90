"""What the newsroom has published: every article's current text, revision and status.

All mutation goes through :class:`Catalog` under one lock, so the HTTP threads always see a
consistent snapshot (each :class:`Article` is an immutable value).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from newswatch.newsroom.stories import Story, builtin_stories, is_subheading

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Article:
    """A story as currently published, with its revision history in brief."""

    story: Story
    revision: int  # 1 on publish; +1 on every edit, retitle, touch or re-publish
    modified_at: datetime  # last change a reader can see (dateModified, sitemap lastmod)
    revised_at: datetime  # last change of any kind, cosmetic included (HTTP Last-Modified)
    touches: int = 0  # cosmetic variant to render (see cosmetic.py)
    gone: int | None = None  # 404 or 410 once deleted
    listed_at: datetime | None = None  # when the newsroom put it out (what a crawler "saw")

    @property
    def live(self) -> bool:
        """Whether the article is listed and served."""
        return self.gone is None

    @property
    def etag(self) -> str:
        """A strong ETag that changes with the revision, never with per-request page noise."""
        digest = hashlib.sha256(repr((self.story, self.revision, self.touches)).encode())
        return f'"{self.story.slug[:12]}-r{self.revision}-{digest.hexdigest()[:12]}"'


class Catalog:
    """Thread-safe store of known stories and published articles."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, Story] = dict(builtin_stories())
        self._articles: dict[str, Article] = {}
        self._by_path: dict[str, str] = {}
        # Last change of any listing (feeds' Last-Modified); the epoch until the first publish.
        self.changed_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    def _stamp(self, previous: datetime | None) -> datetime:
        # HTTP dates have one-second resolution: keep each revision at least a second after
        # the last, or If-Modified-Since would hide an edit made in the same second.
        now = self._clock()
        floor = max(t for t in (previous, self.changed_at) if t is not None)
        stamp = max(now, floor + timedelta(seconds=1))
        self.changed_at = stamp
        return stamp

    def known(self, slug: str) -> Story:
        """The story registered under a slug (built-in or published), current text."""
        with self._lock:
            if slug in self._articles:
                return self._articles[slug].story
            if slug in self._known:
                return self._known[slug]
        raise KeyError(f"no story with slug {slug!r}; known: {', '.join(sorted(self._known))}")

    def slugs(self) -> list[str]:
        """Every known slug, oldest story first."""
        with self._lock:
            return list(self._known)

    def publish(self, *stories: Story) -> list[Article]:
        """Publish (or re-publish after a delete, or replace) stories, as one listing change."""
        with self._lock:
            stamp: datetime | None = None
            done = []
            for story in stories:
                self._known[story.slug] = story
                old = self._articles.get(story.slug)
                if old is not None and old.live and old.story == story:
                    done.append(old)
                    continue
                stamp = stamp or self._stamp(old.revised_at if old else None)
                if old is None:
                    # A brand-new article was last revised when its newsroom wrote it.
                    done.append(
                        self._put(
                            Article(story, 1, story.published, story.published, listed_at=stamp)
                        )
                    )
                else:
                    self._by_path.pop(old.story.path, None)
                    done.append(
                        self._put(Article(story, old.revision + 1, stamp, stamp, listed_at=stamp))
                    )
            return done

    def _put(self, article: Article) -> Article:
        self._articles[article.story.slug] = article
        self._by_path[article.story.path] = article.story.slug
        return article

    def _revise(self, slug: str, change: Callable[[Article, datetime], Article]) -> Article:
        with self._lock:
            old = self._articles.get(slug)
            if old is None or not old.live:
                raise KeyError(f"story {slug!r} is not published")
            new = change(old, self._stamp(old.revised_at))
            return self._put(replace(new, revision=old.revision + 1))

    def edit(self, slug: str, old_text: str, new_text: str) -> Article:
        """Replace text in the body paragraphs (a visible edit)."""
        if not old_text:
            raise ValueError("edit needs the text to replace")

        def change(a: Article, stamp: datetime) -> Article:
            if not any(old_text in p for p in a.story.body):
                raise ValueError(f"{old_text!r} does not occur in the body of {slug!r}")
            body = tuple(p.replace(old_text, new_text) for p in a.story.body)
            if not any(not is_subheading(p) for p in body):
                raise ValueError(f"edit would leave {slug!r} without paragraphs")
            return replace(
                a, story=replace(a.story, body=body), modified_at=stamp, revised_at=stamp
            )

        return self._revise(slug, change)

    def rewrite(self, slug: str, body: tuple[str, ...]) -> Article:
        """Replace the whole body (a retraction, an editor's note, a story rewritten)."""
        if not any(not is_subheading(p) for p in body):
            raise ValueError(f"a rewrite of {slug!r} needs at least one paragraph")

        def change(a: Article, stamp: datetime) -> Article:
            return replace(
                a, story=replace(a.story, body=body), modified_at=stamp, revised_at=stamp
            )

        return self._revise(slug, change)

    def retitle(self, slug: str, title: str) -> Article:
        """Change the headline (a visible edit)."""
        return self._revise(
            slug,
            lambda a, stamp: replace(
                a, story=replace(a.story, title=title), modified_at=stamp, revised_at=stamp
            ),
        )

    def touch(self, slug: str) -> Article:
        """A cosmetic revision: new bytes and ETag, same visible text, same dateModified."""
        return self._revise(
            slug, lambda a, stamp: replace(a, touches=a.touches + 1, revised_at=stamp)
        )

    def delete(self, slug: str, status: int = 410) -> Article:
        """Unpublish: the page answers ``status`` and leaves the feeds and sitemaps."""
        if status not in (404, 410):
            raise ValueError(f"delete status must be 404 or 410, not {status}")
        with self._lock:
            old = self._articles.get(slug)
            if old is None:
                raise KeyError(f"story {slug!r} is not published")
            self._stamp(old.revised_at)
            return self._put(replace(old, gone=status))

    def get(self, slug: str) -> Article | None:
        """The published article for a slug, deleted ones included."""
        with self._lock:
            return self._articles.get(slug)

    def at_path(self, path: str) -> Article | None:
        """The article published at a URL path, deleted ones included."""
        with self._lock:
            slug = self._by_path.get(path)
            return self._articles.get(slug) if slug else None

    def live(self) -> list[Article]:
        """Live articles, newest first."""
        with self._lock:
            found = [a for a in self._articles.values() if a.live]
        return sorted(found, key=lambda a: (a.story.published, a.story.slug), reverse=True)
