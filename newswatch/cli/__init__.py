"""The ``newswatch`` command: a thin shell over scheduler and storage.

Each module below adds its commands to the one typer app; importing them registers them.
"""

from newswatch.cli import check, daemon, history  # noqa: F401  (registers the commands)
from newswatch.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
