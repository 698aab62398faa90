"""The read model: every question the CLI, the API, the web page and the feeds ask of the
stored history, one module per thing read, one frozen row type per thing returned.

* ``articles`` — :class:`ArticleQuery` → :class:`ArticleRow` pages and counts, an article by URL
  or id, the outlets;
* ``versions`` — one article's :class:`VersionSummary` list, a version in full
  (:class:`VersionRecord`), the :class:`VersionDiff` between any two, the version seen at a moment;
* ``edits`` — :class:`EditRow`: edits across articles, newest first, and what each changed;
* ``alerts`` — :class:`AlertRow`: alerts and their :class:`DeliveryState` on every channel;
* ``stats`` — :class:`Stats` totals and :class:`DayCount` coverage per outlet per day;
* ``stories`` — syndication clusters: the list, their articles, the glance and the timeline;
* ``export`` — :class:`ExportItem` streams of versions for the export formats;
* ``fulltext`` — :class:`SearchHit`: searching the index ``storage.searchindex`` writes;
* ``languages`` and ``matching`` — the language and text filters the listings share.

Everything here only reads, inside the caller's session; nothing here is imported by the
write path. A new kind of read is a new module here, re-exported by ``storage``.
"""

from storage.read.alerts import ALERT_STATES, AlertRow, DeliveryState, list_alerts
from storage.read.articles import (
    ArticleQuery,
    ArticleRow,
    article_row,
    count_articles,
    find_article,
    outlets,
    query_articles,
)
from storage.read.edits import EditRow, edit_changes, recent_edits
from storage.read.export import ExportItem, iter_export
from storage.read.fulltext import SearchHit, search
from storage.read.languages import language_code, language_counts
from storage.read.matching import TextMatcher
from storage.read.stats import DayCount, Stats, coverage_by_day, last_fetch_at, stats
from storage.read.stories import (
    StoryGlance,
    TimelineEvent,
    list_stories,
    stories_at_a_glance,
    story_articles,
    story_timeline,
)
from storage.read.versions import (
    VersionDiff,
    VersionRecord,
    VersionSummary,
    diff_between,
    get_version,
    version_at,
    version_classes,
    version_record,
    versions_of,
)

__all__ = [
    "ALERT_STATES",
    "AlertRow",
    "ArticleQuery",
    "ArticleRow",
    "DayCount",
    "DeliveryState",
    "EditRow",
    "ExportItem",
    "SearchHit",
    "Stats",
    "StoryGlance",
    "TextMatcher",
    "TimelineEvent",
    "VersionDiff",
    "VersionRecord",
    "VersionSummary",
    "article_row",
    "count_articles",
    "coverage_by_day",
    "diff_between",
    "edit_changes",
    "find_article",
    "get_version",
    "iter_export",
    "language_code",
    "language_counts",
    "last_fetch_at",
    "list_alerts",
    "list_stories",
    "outlets",
    "query_articles",
    "recent_edits",
    "search",
    "stats",
    "stories_at_a_glance",
    "story_articles",
    "story_timeline",
    "version_at",
    "version_classes",
    "version_record",
    "versions_of",
]
