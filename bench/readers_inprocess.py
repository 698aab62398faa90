"""The daemon as it served before issue 14, for bench/readers.py --in-process: the web server
in a thread of the daemon's own process (sharing its interpreter lock), nothing else changed.

    python bench/readers_inprocess.py --config run.toml
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
from newswatch.api import create_app  # noqa: E402
from newswatch.api.daemonview import LocalDaemon  # noqa: E402
from newswatch.api.server import serve_in_thread  # noqa: E402
from newswatch.config import load_settings  # noqa: E402
from newswatch.logs import configure_logging  # noqa: E402
from newswatch.runtime import open_runtime  # noqa: E402


async def main(config: Path) -> None:
    settings = load_settings(config)
    async with open_runtime(settings) as runtime:
        app = create_app(runtime.db, settings, daemon=LocalDaemon(runtime))
        with serve_in_thread(app, host=settings.api.host, port=settings.api.port):
            await runtime.daemon.run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    configure_logging("WARNING")
    asyncio.run(main(parser.parse_args().config))
