"""The newsroom for bench/readers.py, in a process of its own (the sites a daemon reads are
other machines; in the bench process it would share an interpreter lock with the readers).

    python bench/readers_newsroom.py --articles 2000

Publishes that many generated stories (tests/scheduler/generated.py), prints its base URL,
and serves until its standard input closes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))  # the tests package, for its story generator

from newswatch.newsroom import Newsroom  # noqa: E402
from tests.scheduler.generated import stories  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    room = Newsroom()
    for story in stories(args.articles, prefix="bench"):
        room.publish(story)
    room.start()
    try:
        print(room.base_url, flush=True)
        sys.stdin.read()
    finally:
        room.stop()


if __name__ == "__main__":
    main()
