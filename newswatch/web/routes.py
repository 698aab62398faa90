"""The HTML pages. Templates are Jinja2 with autoescaping on: every stored title, body and
outlet name is text from a page we do not control, so none of it is ever marked safe.
Pages need no JavaScript at all, and the Content-Security-Policy forbids it (``app.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import nh3
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, pass_context
from markupsafe import Markup
from sqlmodel import Session

import storage
from newswatch.endpoints.articles import load_article
from newswatch.endpoints.cache import TTLCache
from newswatch.endpoints.deps import AggregatesDep, OutletsDep, SessionDep
from newswatch.endpoints.params import ArticleId, FromVersion, ToVersion
from newswatch.outlets import OutletDirectory, grouped_counts
from newswatch.queries import BadQuery, article_query
from newswatch.web.chart import timeline
from newswatch.web.sidebyside import side_by_side

router = APIRouter(include_in_schema=False)


def templates() -> Jinja2Templates:
    """The page templates, autoescaped; built per app so nothing is shared at import time."""
    env = Environment(
        loader=PackageLoader("newswatch.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["day"] = lambda v: v.strftime("%d %b %Y") if v else "–"
    env.filters["snippet"] = highlight_snippet
    # Links are paths: an absolute link would have to come from the request's Host header,
    # which the client chooses (newswatch.api.links).
    env.globals["url_for"] = _path_for
    return Jinja2Templates(env=env)


@pass_context
def _path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    request: Request = context["request"]
    return str(request.app.url_path_for(name, **params))


def _when(value: datetime | None) -> str:
    # Stored times are UTC; the page says so rather than leave the reader to guess.
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def highlight_snippet(text: str) -> Markup:
    """A search snippet with its matched words (``[word]``) in ``<mark>``; everything else in
    it is escaped, and nh3 keeps nothing but ``<mark>`` whatever the stored text contained."""
    escaped = str(Markup.escape(text)).replace("[", "<mark>").replace("]", "</mark>")
    return Markup(nh3.clean(escaped, tags={"mark"}, attributes={}))  # noqa: S704


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    tpl: Jinja2Templates = request.app.state.templates
    return tpl.TemplateResponse(request, name, context)


@dataclass(frozen=True, slots=True)
class Filters:
    """The home page's filters, from its query string (a plain GET form: no script)."""

    outlet: str = ""
    language: str = ""
    edit_class: str = ""
    since: str = ""
    until: str = ""

    @property
    def active(self) -> bool:
        return any((self.outlet, self.language, self.edit_class, self.since, self.until))

    def query(self, **changes: str) -> str:
        """This page's query string with ``changes`` (an empty value drops a filter)."""
        values = {
            "outlet": self.outlet,
            "language": self.language,
            "class": self.edit_class,
            "since": self.since,
            "until": self.until,
        } | changes
        return urlencode({k: v for k, v in values.items() if v})


@router.get("/", response_class=HTMLResponse, name="home")
def home(
    request: Request,
    session: SessionDep,
    cache: AggregatesDep,
    outlets: OutletsDep,
    days: Annotated[int, Query(ge=1, le=366)] = 45,
    outlet: Annotated[str, Query(max_length=253)] = "",
    language: Annotated[str, Query(max_length=16)] = "",
    edit_class: Annotated[str, Query(alias="class", max_length=20)] = "",
    since: Annotated[str, Query(max_length=64)] = "",
    until: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """The story at a glance: coverage per outlet per day, the story clusters, the newest
    articles and edits, each filtered by outlet, language, edit class and dates."""
    shown = Filters(
        outlet=outlet.strip(),
        language=language.strip(),
        edit_class=edit_class.strip(),
        since=since.strip(),
        until=until.strip(),
    )
    key = outlets.resolve(shown.outlet) if shown.outlet else None
    error = None
    try:
        query = article_query(
            outlet=key,
            language=shown.language,
            edit_class=shown.edit_class,
            since=shown.since,
            until=_through_the_day(shown.until),
            limit=15,
        )
    except BadQuery as exc:
        error, query = str(exc), article_query(limit=15)
    lang, cls = query.language, query.edit_class
    counts = cache.get(
        ("coverage", None, None, key, lang, query.since, query.until),
        lambda: storage.coverage_by_day(
            session, outlet=key, language=lang, since=query.since, until=query.until
        ),
    )
    chart = timeline(counts, max_days=days, key=outlets.key, name=outlets.name)
    articles = [r for r in storage.query_articles(session, query) if r.version_count]
    edits = storage.recent_edits(
        session,
        limit=15,
        outlet=key,
        since=query.since,
        until=query.until,
        edit_class=cls,
        language=lang,
    )
    changes = storage.edit_changes(session, [e.version_id for e in edits if e.version_id])
    stories = cache.get(
        ("stories", key, lang),
        lambda: storage.stories_at_a_glance(session, limit=8, outlet=key, language=lang),
    )
    return _page(
        request,
        "home.html",
        chart=chart,
        articles=articles,
        edits=edits,
        changes=changes,
        stories=stories,
        filters=shown,
        error=error,
        outlet_key=key,
        outlet_choices=_outlet_choices(session, cache, outlets),
        languages=cache.get("languages", lambda: storage.language_counts(session)),
        classes=storage.CLASSES,
        name_of=outlets.name,
        stats=cache.get("stats", lambda: storage.stats(session)),
    )


def _outlet_choices(
    session: Session, cache: TTLCache, outlets: OutletDirectory
) -> list[tuple[str, str, int]]:
    """(key, name, articles) of every outlet, by name: the outlet filter's choices."""
    totals = cache.get("outlet_totals", lambda: grouped_counts(storage.outlets(session)))
    return sorted(
        ((k, outlets.name(k), n) for k, n in totals.items()), key=lambda c: c[1].casefold()
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse, name="story_page")
def story_page(
    request: Request,
    session: SessionDep,
    outlets: OutletsDep,
    story_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> HTMLResponse:
    """One story: its coverage per outlet per day and its timeline of coverage and edits."""
    info = storage.story_info(session, story_id)
    if info is None:
        raise HTTPException(404, f"no story {story_id}")
    events = storage.story_timeline(session, story_id)
    per_day: dict[tuple[date, str], int] = {}
    for event in events:
        if event.kind == "new":
            day = (event.at.date(), event.outlet)
            per_day[day] = per_day.get(day, 0) + 1
    counts = [
        storage.DayCount(day=d, outlet=o, articles=n) for (d, o), n in sorted(per_day.items())
    ]
    chart = timeline(counts, key=outlets.key, name=outlets.name)
    glance = next(
        (g for g in storage.stories_at_a_glance(session, limit=500) if g.id == story_id), None
    )
    return _page(
        request,
        "story.html",
        story=info,
        events=events,
        chart=chart,
        glance=glance,
        name_of=outlets.name,
    )


@router.get("/search", response_class=HTMLResponse, name="search_page")
def search(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    all_versions: bool = False,
) -> HTMLResponse:
    """Articles whose text matches ``q``."""
    hits, error = [], None
    if q.strip():
        try:
            hits = storage.search(session, q, all_versions=all_versions, limit=100)
        except storage.SearchQueryError as exc:
            error = str(exc)
    return _page(request, "search.html", q=q, hits=hits, error=error, all_versions=all_versions)


@router.get("/articles/{article_id}", response_class=HTMLResponse, name="article_page")
def article_page(
    request: Request,
    session: SessionDep,
    outlets: OutletsDep,
    article_id: ArticleId,
    from_: FromVersion = None,
    to: ToVersion = None,
) -> HTMLResponse:
    """An article's metadata, versions and a side-by-side diff of any two of them."""
    article = load_article(session, article_id)
    versions = storage.versions_of(session, article_id=article_id)
    count = article.version_count
    for asked in (from_, to):
        if asked is not None and asked > count:
            # A link to a version the article does not have: showing another pair under
            # that address would pass it off as what was asked for.
            raise storage.NotFound.version(article_id, asked)
    newest = min(to or count, count)
    oldest = min(from_ if from_ is not None else max(newest - 1, 1), count)
    current = storage.get_version(session, article_id, newest) if count else None
    diff, rows = None, {}
    if count > 1 and oldest != newest:
        diff = storage.diff_between(session, article_id=article_id, from_n=oldest, to_n=newest)
        rows = {field: side_by_side(ops) for field, ops in diff.fields.items()}
    changes = storage.edit_changes(session, [current.id] if current and current.id else [])
    return _page(
        request,
        "article.html",
        article=article,
        versions=versions,
        current=current,
        diff=diff,
        rows=rows,
        oldest=oldest,
        newest=newest,
        classes=storage.version_classes(session, article_id),
        changes=changes.get(current.id or 0, ()) if current else (),
        name_of=outlets.name,
        step=_steps(oldest, newest, count),
    )


def _through_the_day(until: str) -> str:
    """The form's "To" date includes its day (the queries' ``until`` is the first moment left
    out): a bare date becomes the next day's; anything else is passed on as typed."""
    if not _DATE.fullmatch(until):
        return until
    try:
        return (date.fromisoformat(until) + timedelta(days=1)).isoformat()
    except ValueError:  # no such day: the query says what is wrong with it
        return until


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Steps:
    """Links through an article's history: the pair before and after the one shown, and the
    first version against the newest shown."""

    previous: tuple[int, int] | None
    next: tuple[int, int] | None
    first: tuple[int, int] | None


def _steps(oldest: int, newest: int, count: int) -> Steps:
    return Steps(
        previous=(oldest - 1, newest - 1) if oldest > 1 else None,
        next=(oldest + 1, newest + 1) if newest < count else None,
        first=(1, newest) if oldest != 1 and newest > 1 else None,
    )


__all__ = ["router", "templates"]
