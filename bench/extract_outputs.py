"""Dump every field ``extract`` returns for every page of the three dev sets, as JSON.

Usage: python bench/extract_outputs.py OUT.json [--sets aeb-dev,fundus-dev,tr-dev]

A speed change must not change what is extracted: dump before and after, and compare the two
files byte for byte (``cmp before.json after.json``). A page the extractor refuses is dumped
as its error message, so a change in what is refused shows too.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import SETS, SHARED, load  # noqa: E402

from scraper import extract  # noqa: E402
from scraper.exceptions import ExtractionError  # noqa: E402
from scraper.types import Extracted  # noqa: E402


def _plain(value: object) -> object:
    """A JSON-ready copy of a field's value (datetimes with their offset, tuples as lists)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def outputs(found: Extracted) -> dict[str, object]:
    """Every field of one extraction, evidence included, in declaration order."""
    fields = {f.name: _plain(getattr(found, f.name)) for f in dataclasses.fields(found)}
    fields["signals"] = _plain(dict(sorted(found.signals.items())))
    fields["evidence"] = [_plain(item._asdict()) for item in found.evidence]
    return fields


def dump(sets: list[str], shared: Path = SHARED) -> dict[str, dict[str, object]]:
    """``{"set/key": fields or {"error": message}}`` over all pages of the given sets."""
    result: dict[str, dict[str, object]] = {}
    for name in sets:
        for case in load(name, shared):
            try:
                result[f"{name}/{case.key}"] = outputs(extract(case.html, url=case.url))
            except ExtractionError as error:
                result[f"{name}/{case.key}"] = {"error": str(error)}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared bench folder")
    args = parser.parse_args(argv)
    pages = dump(list(filter(None, args.sets.split(","))), args.shared)
    args.out.write_text(json.dumps(pages, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(pages)} pages written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
