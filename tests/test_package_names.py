"""Each package's public names stay what they were exported as, whatever is imported later.

Importing ``pkg.name`` binds the submodule as the attribute ``name`` of ``pkg``: a module whose
file name is also a function the package exports (``storage.article_row``, a read-model function,
against a module of that name) replaces the function as soon as something imports the module,
and every ``storage.article_row(...)`` call after that fails. Type checkers do not see it.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

# The packages that re-export their modules' names (the others export none).
PACKAGES = ("scraper", "storage")


def _import_everything(package: ModuleType) -> None:
    for module in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        if ".migrations." in module.name or module.name.endswith(".__main__"):
            continue
        importlib.import_module(module.name)


@pytest.mark.parametrize("name", PACKAGES)
def test_no_submodule_hides_an_exported_name(name: str) -> None:
    package = importlib.import_module(name)
    _import_everything(package)
    exported = getattr(package, "__all__", ())
    assert exported, f"{name} exports nothing: has __all__ moved?"
    shadowed = [n for n in exported if isinstance(getattr(package, n), ModuleType)]
    assert shadowed == [], f"{name}: these exported names are now submodules: {shadowed}"
