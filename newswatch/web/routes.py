"""The HTML pages. Templates are Jinja2 with autoescaping on: every stored title, body and
outlet name is text from a page we do not control, so none of it is ever marked safe.
Pages need no JavaScript at all, and the Content-Security-Policy forbids it (``app.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import nh3
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, pass_context
from markupsafe import Markup

import storage
from newswatch.api.deps import AggregatesDep, SessionDep
from newswatch.api.params import ArticleId, FromVersion, ToVersion
from newswatch.api.routes_articles import load_article
from newswatch.queries import article_query
from newswatch.web.chart import timeline
from newswatch.web.search import search_articles
from newswatch.web.sidebyside import side_by_side

router = APIRouter(include_in_schema=False)


def templates() -> Jinja2Templates:
    """The page templates, autoescaped; built per app so nothing is shared at import time."""
    env = Environment(loader=PackageLoader("newswatch.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
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
    return value.strftime("%Y-%m-%d %H:%M") if value else "–"


def highlight_snippet(text: str) -> Markup:
    """A search snippet with its matched words (``[word]``) in ``<mark>``; everything else in
    it is escaped, and nh3 keeps nothing but ``<mark>`` whatever the stored text contained."""
    escaped = str(Markup.escape(text)).replace("[", "<mark>").replace("]", "</mark>")
    return Markup(nh3.clean(escaped, tags={"mark"}, attributes={}))  # noqa: S704


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    tpl: Jinja2Templates = request.app.state.templates
    return tpl.TemplateResponse(request, name, context)


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, cache: AggregatesDep,
         days: Annotated[int, Query(ge=1, le=366)] = 45) -> HTMLResponse:
    """Coverage per day, the newest articles and the newest edits."""
    counts = cache.get(("coverage", None, None), lambda: storage.coverage_by_day(session))
    chart = timeline(counts, max_days=days)
    articles = [r for r in storage.query_articles(session, article_query(limit=15))
                if r.version_count]
    edits = storage.recent_edits(session, limit=15)
    return _page(request, "home.html", chart=chart, articles=articles, edits=edits,
                 stats=cache.get("stats", lambda: storage.stats(session)))


@router.get("/search", response_class=HTMLResponse, name="search_page")
def search(request: Request, session: SessionDep,
           q: Annotated[str, Query(max_length=1000)] = "",
           all_versions: bool = False) -> HTMLResponse:
    """Articles whose text matches ``q``."""
    hits, error = [], None
    if q.strip():
        try:
            hits = search_articles(session, q, all_versions=all_versions, limit=100)
        except storage.SearchQueryError as exc:
            error = str(exc)
    return _page(request, "search.html", q=q, hits=hits, error=error,
                 all_versions=all_versions)


@router.get("/articles/{article_id}", response_class=HTMLResponse, name="article_page")
def article_page(
    request: Request,
    session: SessionDep,
    article_id: ArticleId,
    from_: FromVersion = None,
    to: ToVersion = None,
) -> HTMLResponse:
    """An article's metadata, versions and a side-by-side diff of any two of them."""
    article = load_article(session, article_id)
    versions = storage.versions_of(session, article_id=article_id)
    count = article.version_count
    newest = min(to or count, count)
    oldest = min(from_ if from_ is not None else max(newest - 1, 1), count)
    current = storage.get_version(session, article_id, newest) if count else None
    diff, rows = None, {}
    if count > 1 and oldest != newest:
        diff = storage.diff_between(session, article_id=article_id, from_n=oldest,
                                    to_n=newest)
        rows = {field: side_by_side(ops) for field, ops in diff.fields.items()}
    return _page(request, "article.html", article=article, versions=versions,
                 current=current, diff=diff, rows=rows, oldest=oldest, newest=newest,
                 classes=storage.version_classes(session, article_id))


__all__ = ["router", "templates"]
