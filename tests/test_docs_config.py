"""The README's configuration reference is generated from the Settings model, so it cannot
drift: this test rebuilds it and compares. After adding a setting, run

    NEWSWATCH_UPDATE_README=1 python -m pytest tests/test_docs_config.py

to rewrite the block between the markers (then read the diff)."""

from __future__ import annotations

import os
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from newswatch.config import Settings
from newswatch.durations import format_duration

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def _value(value: Any) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, timedelta):
        return f'"{format_duration(value)}"'
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return '""' if not value else f'"{value}"'
    if isinstance(value, tuple):
        if not value:
            return "[]"
        if all(isinstance(v, BaseModel) for v in value):
            return "[" + ", ".join(_inline(v) for v in value) + "]"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _inline(model: BaseModel) -> str:
    parts = [
        f"{name} = {_value(getattr(model, name))}"
        for name, field in type(model).model_fields.items()
        if getattr(model, name) != field.default or field.is_required()
    ]
    return "{ " + ", ".join(parts) + " }"


def _item_model(annotation: Any) -> type[BaseModel] | None:
    args = typing.get_args(annotation)
    if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0]
    return None


def config_reference() -> str:
    """The Markdown table of every key: its default, its environment variable, its help."""
    rows = ["| key | default | environment variable | meaning |", "|---|---|---|---|"]
    for section, field in Settings.model_fields.items():
        env = f"NEWSWATCH_{section.upper()}"
        item = _item_model(field.annotation)
        if item is not None:  # a list section: one JSON variable for the whole list
            rows.append(
                f"| `[[{section}]]` | `{_value(field.default)}` | `{env}` (JSON list) "
                f"| {field.description or 'see the keys below'} |"
            )
            for name, sub in item.model_fields.items():
                default = "(required)" if sub.is_required() else f"`{_value(sub.default)}`"
                rows.append(
                    f"| `{section}[].{name}` | {default} | (in `{env}`) | "
                    f"{(sub.description or '').replace('|', '/')} |"
                )
            continue
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel), section
        defaults = field.get_default(call_default_factory=True)
        for name, sub in model.model_fields.items():
            # A default that depends on the machine (the data folder) says so in words.
            shown = (
                (sub.json_schema_extra or {}).get("shown_default")
                if isinstance(sub.json_schema_extra, dict)
                else None
            )
            default = str(shown) if shown else _value(getattr(defaults, name))
            rows.append(
                f"| `{section}.{name}` | `{default}` | `{env}_{name.upper()}` | "
                f"{(sub.description or '').replace('|', '/')} |"
            )
    return "\n".join(rows)


def test_readme_configuration_reference_is_generated_from_settings() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "README lacks the configuration reference markers"
    before, rest = text.split(START, 1)
    current, after = rest.split(END, 1)
    expected = "\n" + config_reference() + "\n"
    if current != expected and os.environ.get("NEWSWATCH_UPDATE_README") == "1":
        README.write_text(before + START + expected + END + after, encoding="utf-8")
        return
    assert current == expected, (
        "the README's configuration reference is out of date; regenerate it with "
        "NEWSWATCH_UPDATE_README=1 python -m pytest tests/test_docs_config.py"
    )
