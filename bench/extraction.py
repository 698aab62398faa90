"""Extraction benchmark: body quality (AEB scoring) and speed of ours against trafilatura.

Usage: python bench/extraction.py [--dev-dir ../shared/bench/aeb-dev] [--runs 3] [--worst N]
       [--plain] [--ours-only]

Speed is pages/s of ``extract(html_str, url)`` (and trafilatura's ``extract`` on the same
strings), the extractors taking turns within each run; the speed ratio is the median of the
per-run ratios, which a burst of load from another process cannot skew. Memory is measured
in a separate pass because tracemalloc slows allocation down.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import score_page, summarize  # noqa: E402

from scraper import extract  # noqa: E402

DEFAULT_DEV_DIR = Path(__file__).resolve().parents[1].parent / "shared/bench/aeb-dev"


@dataclass(frozen=True, slots=True)
class Case:
    key: str
    url: str
    truth: str
    html: str


def load_cases(dev_dir: Path) -> list[Case]:
    """Decode every page once, before any timing."""
    truth = json.loads((dev_dir / "ground-truth.json").read_text(encoding="utf-8"))
    cases = []
    for key, item in sorted(truth.items()):
        raw = gzip.decompress((dev_dir / "html" / f"{key}.html.gz").read_bytes())
        cases.append(Case(key, item["url"], item.get("articleBody") or "", raw.decode("utf-8")))
    return cases


def ours(case: Case) -> str:
    return extract(case.html, url=case.url).body


def _trafilatura(**options: object) -> Callable[[Case], str] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(case: Case) -> str:
        return trafilatura.extract(case.html, url=case.url, **options) or ""

    return run


def measure(
    runners: list[tuple[str, Callable[[Case], str]]], cases: list[Case], runs: int
) -> tuple[dict[str, list[str]], dict[str, list[float]]]:
    """Predictions of an untimed warm-up pass, and each runner's pages/s in every run.

    Runners take turns inside each run (in an order that rotates from run to run), so
    that a burst of load from another process on this shared machine hits all of them
    alike and the per-run ratios stay comparable. Each timed call is what a user does:
    ``extract(html_str, url)`` on the decoded page, the same input for every extractor.
    """
    predictions = {name: [fn(case) for case in cases] for name, fn in runners}
    rates: dict[str, list[float]] = {name: [] for name, _ in runners}
    for run in range(runs):
        shift = run % len(runners)
        for name, fn in runners[shift:] + runners[:shift]:
            start = time.perf_counter()
            for case in cases:
                fn(case)
            rates[name].append(len(cases) / (time.perf_counter() - start))
    return predictions, rates


def median_ratio(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    """Median, min and max over runs of ours/theirs measured in the same run."""
    ratios = sorted(a / b for a, b in zip(ours, theirs, strict=True))
    return statistics.median(ratios), ratios[0], ratios[-1]


def peak_memory(fn: Callable[[Case], str], cases: list[Case]) -> tuple[float, float]:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-dir", type=Path, default=DEFAULT_DEV_DIR)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worst", type=int, default=0, help="list the N pages with lowest F1")
    parser.add_argument("--ours-only", action="store_true", help="skip trafilatura")
    parser.add_argument("--plain", action="store_true", help="also run trafilatura's defaults")
    args = parser.parse_args(argv)

    cases = load_cases(args.dev_dir)
    runners: list[tuple[str, Callable[[Case], str]]] = [("newswatch", ours)]
    if not args.ours_only:
        precise = _trafilatura(favor_precision=True, include_comments=False)
        if precise is None:
            print("trafilatura not importable: comparing nothing", file=sys.stderr)
        else:
            runners.append(("trafilatura precision", precise))
            plain = _trafilatura(include_comments=False)
            if args.plain and plain is not None:
                runners.append(("trafilatura no comments", plain))

    header = f"{'extractor':<26}{'F1':>7}{'P':>7}{'R':>7}{'acc':>7}{'pages/s':>9}"
    header += f"{'mem med':>9}{'mem max':>9}"
    print(f"{len(cases)} pages from {args.dev_dir}, median of {args.runs} runs")
    print(header)
    predictions, rates = measure(runners, cases, args.runs)
    ours_predictions = predictions["newswatch"]
    for name, fn in runners:
        s = summarize((c.truth, p) for c, p in zip(cases, predictions[name], strict=True))
        # tracemalloc slows allocation down: memory gets its own pass, after the timing.
        mem_med, mem_max = peak_memory(fn, cases)
        print(
            f"{name:<26}{s.f1:>7.3f}{s.precision:>7.3f}{s.recall:>7.3f}{s.accuracy:>7.3f}"
            f"{statistics.median(rates[name]):>9.0f}{mem_med:>8.2f}M{mem_max:>8.2f}M"
        )
    for name in rates:
        if name != "newswatch":
            ratio, low, high = median_ratio(rates["newswatch"], rates[name])
            print(
                f"speed ratio newswatch / {name}: {ratio:.1f}x "
                f"(median of per-run ratios; runs ranged {low:.1f}x-{high:.1f}x)"
            )

    if args.worst:
        scored = []
        for case, prediction in zip(cases, ours_predictions, strict=True):
            page = score_page(case.truth, prediction)
            p, r = page.precision or 0.0, page.recall or 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            scored.append((f1, p, r, case))
        scored.sort(key=lambda item: item[0])
        print(f"\nworst {args.worst} pages (F1, P, R, key, url)")
        for f1, p, r, case in scored[: args.worst]:
            print(f"{f1:.3f} {p:.3f} {r:.3f} {case.key[:12]} {case.url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
