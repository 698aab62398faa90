"""The ``newswatch`` command: a thin shell over scheduler and storage.

Each module below adds its commands to the one typer app; importing them registers them.
"""

import inspect

import typer

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


def _summaries_on_one_line(group: typer.Typer) -> None:
    """Give every command a one-line summary: the first paragraph of its help, unwrapped.

    In rich markup mode typer lists a group's commands with that paragraph's line breaks
    kept, so a docstring wrapped at the source's width showed as ragged lines in
    ``newswatch --help`` (each command's own ``--help`` joins them, and still does).
    """
    for command in group.registered_commands:
        text = command.help or (command.callback.__doc__ if command.callback else None)
        if command.short_help is None and text:
            command.short_help = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _summaries_on_one_line(sub.typer_instance)


_summaries_on_one_line(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
