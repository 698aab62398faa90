"""Outlets as people know them: a key (the registered domain) and a display name.

The name is what the outlet's pages call it (``site_name``, learned by storage from the stored
versions), or what ``[outlets] names`` says, which wins; without either, the key. Every door
(the web page, the feeds, the API, the CLI) shows outlets through :class:`OutletDirectory`, and
a user may name an outlet by its key, any of its hosts, or its display name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

import storage


@dataclass(frozen=True, slots=True)
class OutletDirectory:
    """Display names by outlet key, and the way back from a name to its key."""

    names: Mapping[str, str] = field(default_factory=dict)

    def key(self, host: str) -> str:
        """The outlet key of a host (or URL)."""
        return storage.outlet_key(host)

    def name(self, host: str) -> str:
        """The display name of the outlet a host belongs to (its key when it has none)."""
        key = storage.outlet_key(host)
        return self.names.get(key, key)

    def resolve(self, given: str) -> str:
        """What a user typed (a display name, a key, a host) as an outlet key."""
        wanted = " ".join(given.split()).casefold()
        for key, name in self.names.items():
            if name.casefold() == wanted:
                return key
        return storage.outlet_key(given)


def build_directory(
    learned: Mapping[str, Counter[str]], configured: Mapping[str, str]
) -> OutletDirectory:
    """Names by key: the configured ones, else the name most of the key's pages give. Where
    no name has a majority (one host serving several outlets' pages) the key stays."""
    by_key: dict[str, Counter[str]] = {}
    for host, seen in learned.items():
        by_key.setdefault(storage.outlet_key(host), Counter()).update(seen)
    chosen: dict[str, str] = {}
    for key, counts in by_key.items():
        top = counts.most_common(1)
        if top and top[0][1] * 2 > counts.total():
            chosen[key] = top[0][0]
    chosen.update({storage.outlet_key(key): name for key, name in configured.items()})
    return OutletDirectory(names=chosen)


def outlet_directory(session: Session, configured: Mapping[str, str]) -> OutletDirectory:
    """The directory of the outlets stored in the database behind ``session``."""
    return build_directory(storage.learned_outlet_names(session), configured)


def grouped_counts(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """(host, count) pairs summed per outlet key."""
    totals: dict[str, int] = {}
    for host, count in rows:
        key = storage.outlet_key(host)
        totals[key] = totals.get(key, 0) + count
    return totals
