"""The ``newswatch`` command: a thin shell over scheduler and storage.

Each module below adds its commands to the one typer app; importing them registers them.
"""

from newswatch.cli import (  # noqa: F401  (importing a module registers its commands)
    check,
    daemon,
    export,
    history,
    importing,
    maintenance,
    query,
    recheck,
    serve,
    sources,
)
from newswatch.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
