"""Extraction benchmark: body quality (AEB scoring) and speed of ours against trafilatura.

Usage: python bench/extraction.py [--dev-dir ../shared/bench/aeb-dev] [--runs 3] [--worst N]
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


def timed(fn: Callable[[Case], str], cases: list[Case], runs: int) -> tuple[list[str], float]:
    """Predictions of the last pass and the median pages/s over ``runs`` passes."""
    rates = []
    predictions: list[str] = []
    for _ in range(runs):
        start = time.perf_counter()
        predictions = [fn(case) for case in cases]
        rates.append(len(cases) / (time.perf_counter() - start))
    return predictions, statistics.median(rates)


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
    rates: dict[str, float] = {}
    ours_predictions: list[str] = []
    for name, fn in runners:
        predictions, rate = timed(fn, cases, args.runs)
        rates[name] = rate
        if name == "newswatch":
            ours_predictions = predictions
        s = summarize((c.truth, p) for c, p in zip(cases, predictions, strict=True))
        mem_med, mem_max = peak_memory(fn, cases)
        print(
            f"{name:<26}{s.f1:>7.3f}{s.precision:>7.3f}{s.recall:>7.3f}{s.accuracy:>7.3f}"
            f"{rate:>9.0f}{mem_med:>8.2f}M{mem_max:>8.2f}M"
        )
    if "trafilatura precision" in rates:
        ratio = rates["newswatch"] / rates["trafilatura precision"]
        print(f"speed ratio newswatch / trafilatura: {ratio:.1f}x")

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
