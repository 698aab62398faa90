"""Which alerts go to which channel, and how: per-channel filters, templates and digests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from scheduler.channels import Channel
from scraper.topic import TopicQuery
from storage import AlertPayload, outlet_key


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """An alert passes when it matches every constraint that is set (empty = anything)."""

    kinds: Collection[str] = ()
    classes: Collection[str] = ()
    outlets: Collection[str] = ()
    topic: TopicQuery | None = None

    def accepts(self, alert: AlertPayload, text: str | None = None) -> bool:
        if self.kinds and alert.kind not in self.kinds:
            return False
        wanted_classes = set(self.classes)
        if (
            wanted_classes
            and alert.kind in ("edited", "update")
            and not (wanted_classes & set(alert.classes))
        ):
            return False
        if self.outlets and not self._outlet_matches(alert):
            return False
        return self.topic is None or self.topic.matches(alert.title, text)

    def _outlet_matches(self, alert: AlertPayload) -> bool:
        # An outlet is named by its name, a host, or its key (registered domain): any host
        # of bbc.co.uk matches "bbc.co.uk", and "www.bbc.co.uk" matches news.bbc.co.uk.
        host = alert.outlet or alert.url
        names = {(alert.site_name or "").casefold(), outlet_key(host)}
        return any(
            outlet.casefold() in names or outlet_key(outlet) in names for outlet in self.outlets
        )

    @property
    def needs_text(self) -> bool:
        return self.topic is not None


@dataclass(frozen=True, slots=True)
class Route:
    """One configured alert channel with its filter, template and digest interval."""

    channel: Channel
    filter: AlertFilter = AlertFilter()
    template: str | None = None
    digest: timedelta | None = None
