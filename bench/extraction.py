"""Extraction benchmark: body and metadata quality, and speed, of ours beside trafilatura.

Usage: python bench/extraction.py [--sets aeb-dev,fundus-dev,tr-dev] [--runs 3] [--worst N]
       [--misses FIELD] [--ours-only] [--trafilatura default,precision] [--memory]

Three development sets from ../shared/bench (see its README for each one's scoring):
aeb-dev (news; body by the AEB shingle metric, metadata against our hand labels in
bench/labels/), fundus-dev (news in 24 countries; body, title, authors, day) and tr-dev
(varied pages; trafilatura's snippet metric).

Speed is pages/s of ``extract(page, url)`` on each set's pages (and trafilatura's ``extract``
on the same input), the extractors taking turns within each run; the speed ratio is the
median of the per-run ratios, which a burst of load from another process cannot skew. It is
given twice: by the wall clock, and by this process's CPU time, which does not count the time
spent waiting for a core that other processes hold (on a crowded machine the single runs'
wall-clock ratios spread several times wider than their CPU-time ones).
trafilatura's metadata comes from ``bare_extraction(with_metadata=True)`` in the untimed
pass; its timed calls extract the body alone, which is quicker: the ratio is conservative.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import SETS, SHARED, Case, load  # noqa: E402
from field_scoring import (  # noqa: E402
    field_score,
    same_authors,
    same_language,
    same_title,
    snippet_counts,
    snippet_total,
)
from scoring import score_page, summarize  # noqa: E402

from scraper import extract  # noqa: E402

TRAFILATURA_CONFIGS: dict[str, dict[str, object]] = {
    # trafilatura's defaults without comments: the anchor of tr-dev's and fundus-dev's READMEs.
    "default": {"include_comments": False},
    # favor_precision: the best trafilatura figure on aeb-dev (0.974 in its README).
    "precision": {"include_comments": False, "favor_precision": True},
}


@dataclass(frozen=True, slots=True)
class Prediction:
    """What one extractor found in one page, in the shape the scorers compare."""

    body: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    day: date | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Runner:
    """An extractor: ``predict`` for scoring (untimed), ``timed`` for the speed passes."""

    name: str
    predict: Callable[[Case], Prediction]
    timed: Callable[[Case], object]


def _ours(case: Case) -> Prediction:
    found = extract(case.html, url=case.url)
    day = found.published.date() if found.published else None
    return Prediction(found.body, found.title, found.authors, day, found.language)


def _trafilatura(label: str, options: dict[str, object]) -> Runner | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def predict(case: Case) -> Prediction:
        doc = trafilatura.bare_extraction(case.html, url=case.url, with_metadata=True, **options)
        if doc is None:
            return Prediction("")
        authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
        day = _iso_day(doc.date)
        return Prediction(doc.text or "", doc.title, authors, day, doc.language)

    def timed(case: Case) -> object:
        return trafilatura.extract(case.html, url=case.url, **options)

    name = "trafilatura" if label == "default" else f"trafilatura {label}"
    return Runner(name, predict, timed)


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Rates:
    """Each runner's pages/s in every run: by the wall clock, and by this process's CPU time."""

    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]


def measure(
    runners: list[Runner], cases: list[Case], runs: int
) -> tuple[dict[str, list[Prediction]], Rates]:
    """Predictions of an untimed pass, and each runner's pages/s in every run.

    Runners take turns inside each run (in an order that rotates from run to run), so that
    a burst of load from another process on this shared machine hits all of them alike and
    the per-run ratios stay comparable. CPU time is kept beside wall time: while other
    processes crowd the two cores, the wall clock also counts the time this one waits.
    """
    predictions = {r.name: [r.predict(case) for case in cases] for r in runners}
    rates = Rates({r.name: [] for r in runners}, {r.name: [] for r in runners})
    for run in range(runs):
        shift = run % len(runners)
        for runner in runners[shift:] + runners[:shift]:
            fn = runner.timed
            start, start_cpu = time.perf_counter(), time.process_time()
            for case in cases:
                fn(case)
            cpu = time.process_time() - start_cpu
            rates.wall[runner.name].append(len(cases) / (time.perf_counter() - start))
            rates.cpu[runner.name].append(len(cases) / max(cpu, 1e-9))
    return predictions, rates


def median_ratio(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    """Median, min and max over runs of ours/theirs measured in the same run."""
    ratios = sorted(a / b for a, b in zip(ours, theirs, strict=True))
    return statistics.median(ratios), ratios[0], ratios[-1]


def peak_memory(fn: Callable[[Case], object], cases: list[Case]) -> tuple[float, float]:
    """Median and max tracemalloc peak (MiB) of extracting one page."""
    peaks = []
    tracemalloc.start()
    for case in cases:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn(case)
        peaks.append((tracemalloc.get_traced_memory()[1] - base) / 2**20)
    tracemalloc.stop()
    return statistics.median(peaks), max(peaks)


def body_row(cases: list[Case], predicted: list[Prediction]) -> tuple[str, list[float]]:
    """The body figures of one extractor on one set: a formatted row and the raw numbers."""
    if cases and cases[0].body is None:
        pairs = zip(cases, predicted, strict=True)
        total = snippet_total(snippet_counts(p.body, c.with_, c.without) for c, p in pairs)
        figures = [total.f1, total.precision, total.recall]
        return "".join(f"{v:>7.3f}" for v in figures) + f"{'':>7}", figures
    s = summarize((c.body or "", p.body) for c, p in zip(cases, predicted, strict=True))
    figures = [s.f1, s.precision, s.recall, s.accuracy]
    return "".join(f"{v:>7.3f}" for v in figures), figures


FIELDS = ("title", "authors", "day", "language")


def field_outcomes(case: Case, p: Prediction) -> dict[str, bool | None]:
    """Right (True), wrong (False) or not scored (None), field by field."""
    m = case.meta
    if m is None:
        return dict.fromkeys(FIELDS)
    return {
        "title": same_title(m.title, p.title) if m.title is not None else None,
        "authors": same_authors(m.authors, p.authors) if m.authors is not None else None,
        "day": (m.day == p.day) if m.day is not None else None,
        "language": same_language(m.language, p.language) if m.language is not None else None,
    }


def meta_row(cases: list[Case], predicted: list[Prediction]) -> str:
    outcomes = [field_outcomes(c, p) for c, p in zip(cases, predicted, strict=True)]
    cells = []
    for name in FIELDS:
        score = field_score(o[name] for o in outcomes)
        cells.append(f"{score.share:>9.3f}" if score.scored else f"{'-':>9}")
    return "".join(cells)


def _report_set(
    name: str, cases: list[Case], runners: list[Runner], args: argparse.Namespace
) -> None:
    predictions, rates = measure(runners, cases, args.runs)
    snippets = cases[0].body is None
    print(f"\n{name}: {len(cases)} pages, median of {args.runs} runs")
    head = f"{'extractor':<24}{'F1':>7}{'P':>7}{'R':>7}{'' if snippets else 'acc':>7}{'pages/s':>9}"
    print(head + (f"{'mem med':>9}{'mem max':>9}" if args.memory else ""))
    for runner in runners:
        row, _ = body_row(cases, predictions[runner.name])
        rate = rates.wall[runner.name]
        line = f"{runner.name:<24}{row}" + (f"{statistics.median(rate):>9.0f}" if rate else "")
        if args.memory:
            mem_med, mem_max = peak_memory(runner.timed, cases)
            line += f"{mem_med:>8.2f}M{mem_max:>8.2f}M"
        print(line)
    for runner in runners[1:] if args.runs else ():
        ratio, low, high = median_ratio(rates.wall["newswatch"], rates.wall[runner.name])
        cpu, cpu_low, cpu_high = median_ratio(rates.cpu["newswatch"], rates.cpu[runner.name])
        print(
            f"speed ratio newswatch / {runner.name}: {ratio:.1f}x "
            f"(median of per-run ratios; runs ranged {low:.1f}x-{high:.1f}x); "
            f"by CPU time {cpu:.1f}x ({cpu_low:.1f}x-{cpu_high:.1f}x)"
        )
    if any(c.meta is not None for c in cases):
        print(f"{'metadata':<24}" + "".join(f"{f:>9}" for f in FIELDS))
        for runner in runners:
            print(f"{runner.name:<24}{meta_row(cases, predictions[runner.name])}")
    if args.worst and not snippets:
        _worst(cases, predictions["newswatch"], args.worst)
    if args.misses:
        _misses(cases, predictions["newswatch"], args.misses)


def _worst(cases: list[Case], predicted: list[Prediction], count: int) -> None:
    scored = []
    for case, prediction in zip(cases, predicted, strict=True):
        page = score_page(case.body or "", prediction.body)
        p, r = page.precision or 0.0, page.recall or 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        scored.append((f1, p, r, case))
    scored.sort(key=lambda item: item[0])
    print(f"worst {count} pages (F1, P, R, key, url)")
    for f1, p, r, case in scored[:count]:
        print(f"{f1:.3f} {p:.3f} {r:.3f} {case.key[:24]} {case.url}")


def _misses(cases: list[Case], predicted: list[Prediction], field: str) -> None:
    print(f"newswatch misses on {field} (key, true, found)")
    for case, p in zip(cases, predicted, strict=True):
        if field_outcomes(case, p).get(field) is False and case.meta is not None:
            true = getattr(case.meta, field)
            found = getattr(p, field)
            print(f"{case.key[:24]}  {true!r}  {found!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared bench folder")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (0: quality only)")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages with lowest F1")
    parser.add_argument("--misses", choices=FIELDS, help="list pages where a field is wrong")
    parser.add_argument("--ours-only", action="store_true", help="skip trafilatura")
    parser.add_argument(
        "--trafilatura",
        default="default,precision",
        help=f"trafilatura configurations to run ({', '.join(TRAFILATURA_CONFIGS)})",
    )
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    args = parser.parse_args(argv)

    runners = [Runner("newswatch", _ours, _ours)]
    if not args.ours_only:
        for label in filter(None, args.trafilatura.split(",")):
            if label not in TRAFILATURA_CONFIGS:
                parser.error(f"unknown trafilatura configuration {label!r}")
            runner = _trafilatura(label, TRAFILATURA_CONFIGS[label])
            if runner is None:
                print("trafilatura not importable: comparing nothing", file=sys.stderr)
                break
            runners.append(runner)
    print(f"extraction benchmark, {datetime.now():%Y-%m-%d %H:%M}, shared sets in {args.shared}")
    for name in filter(None, args.sets.split(",")):
        if not (args.shared / name).is_dir():
            print(f"\n{name}: not found under {args.shared}, skipped")
            continue
        _report_set(name, load(name, args.shared), runners, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
