"""The three development sets of ``../shared/bench`` as one kind of case, decoded once.

- aeb-dev: news pages with the true article body, and our hand-made metadata labels
  (``bench/labels/aeb-dev-metadata.json``);
- fundus-dev: news in many languages with body, title, authors and day from fundus' parsers;
- tr-dev: varied pages with trafilatura's must/must-not snippets.

Pages are handed to extractors as the sets store them: aeb-dev as text (it is UTF-8),
the others as the bytes fetched, whose charset the extractor must find.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
LABELS = Path(__file__).resolve().parent / "labels" / "aeb-dev-metadata.json"
SETS = ("aeb-dev", "fundus-dev", "tr-dev")


@dataclass(frozen=True, slots=True)
class MetaTruth:
    """True metadata of one page; a field that is None is not scored on that page."""

    title: str | None = None
    authors: tuple[str, ...] | None = None
    day: date | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One page and what is true about it (the fields its set scores)."""

    key: str
    url: str
    html: str | bytes
    body: str | None = None  # the true body (aeb-dev, fundus-dev)
    with_: tuple[str, ...] = ()  # snippets that must be extracted (tr-dev)
    without: tuple[str, ...] = ()  # snippets that must not be (tr-dev)
    meta: MetaTruth | None = None


def _gunzip(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def load_labels(path: Path = LABELS) -> dict[str, MetaTruth]:
    """Hand-made metadata labels by page key."""
    if not path.exists():
        return {}
    pages = json.loads(path.read_text(encoding="utf-8"))["pages"]
    return {
        key: MetaTruth(
            title=item["title"],
            authors=tuple(item["authors"]),
            day=date.fromisoformat(item["published"]) if item.get("published") else None,
            language=item["language"],
        )
        for key, item in pages.items()
    }


def load_aeb(folder: Path, labels: dict[str, MetaTruth]) -> list[Case]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Case(
            key=key,
            url=item["url"],
            html=_gunzip(folder / "html" / f"{key}.html.gz").decode("utf-8"),
            body=item.get("articleBody") or "",
            meta=labels.get(key),
        )
        for key, item in sorted(truth.items())
    ]


def load_fundus(folder: Path) -> list[Case]:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    cases = []
    for key, item in sorted(truth.items()):
        published = item.get("published")
        reliable = bool(item.get("published_reliable")) and bool(published)
        meta = MetaTruth(
            title=item.get("title") or None,
            authors=tuple(item.get("authors") or ()),
            day=date.fromisoformat(published) if reliable else None,
        )
        html = _gunzip(folder / "html" / key)
        cases.append(Case(key, item["url"], html, body=item.get("body") or "", meta=meta))
    return cases


def load_tr(folder: Path) -> list[Case]:
    truth = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    return [
        Case(
            key=item["file"],
            url=url,
            html=_gunzip(folder / "html" / f"{item['file']}.gz"),
            with_=tuple(item.get("with") or ()),
            without=tuple(item.get("without") or ()),
        )
        for url, item in sorted(truth.items())
    ]


def load(name: str, shared: Path = SHARED) -> list[Case]:
    """The cases of one development set, by its folder name."""
    folder = shared / name
    if name == "aeb-dev":
        return load_aeb(folder, load_labels())
    if name == "fundus-dev":
        return load_fundus(folder)
    if name == "tr-dev":
        return load_tr(folder)
    raise ValueError(f"unknown set {name!r}; choose from {', '.join(SETS)}")
