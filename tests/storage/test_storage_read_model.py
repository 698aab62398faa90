"""The read model's boundary: the write path never imports ``storage.read``, and the names the
package exports are the read functions, not modules that happen to share their names."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import storage

STORAGE = Path(storage.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_write_path_never_imports_the_read_model() -> None:
    writers = [
        p
        for p in STORAGE.glob("*.py")
        if p.name != "__init__.py"  # re-exports both sides
    ]
    assert len(writers) > 20  # the glob found the package's modules
    readers = {
        p.name: sorted(m for m in _imported_modules(p) if m.startswith("storage.read"))
        for p in writers
    }
    assert {name: found for name, found in readers.items() if found} == {}


def test_exported_read_functions_are_not_shadowed_by_modules() -> None:
    # Importing every storage module (as the daemon does) must leave storage.search the function.
    for path in STORAGE.glob("*.py"):
        importlib.import_module(f"storage.{path.stem}" if path.stem != "__init__" else "storage")
    for name in ("search", "stats", "outlets"):
        assert not isinstance(getattr(storage, name), ModuleType), name
        assert callable(getattr(storage, name))
