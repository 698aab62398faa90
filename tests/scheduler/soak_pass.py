"""One daemon pass in a fresh process, on a clock the test sets (``run --once`` with a clock).

Run by test_soak_sqlite.py: ``python soak_pass.py CONFIG ISO_TIME``. It builds the daemon's
parts from the configuration exactly as ``newswatch run --once`` does, works off everything due
at ``ISO_TIME``, delivers the alerts, and prints the pass report as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from newswatch.config import load_settings
from newswatch.runtime import open_runtime


async def main(config: Path, now: datetime) -> None:
    settings = load_settings(config)
    async with open_runtime(settings, clock=lambda: now) as runtime:
        report = await runtime.worker.run_until_idle()
        await runtime.deliverer.deliver(limit=100_000)
    print(
        json.dumps(
            {
                "sources": report.sources,
                "articles": report.articles,
                "errors": report.errors,
                "outcomes": report.outcomes,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2])))
