"""What the configuration holds that must never be shown, and rows masked for showing.

:func:`redactor_for` collects every secret in a :class:`Settings` (channel tokens, the database
password, the API token, credentials in source and proxy URLs) into one
:class:`~scheduler.redact.Redactor`; the log filter, the API and the CLI mask with it. The
``masked_*`` functions return copies of storage's rows fit for a screen: the stored rows keep
their real URLs, which the daemon needs to fetch.
"""

from __future__ import annotations

import dataclasses

import storage
from newswatch.config import Settings
from scheduler.channel_redact import channel_secrets, mask_channel
from scheduler.redact import Redactor, url_secrets


def redactor_for(settings: Settings, *, channels: bool = True) -> Redactor:
    """Every secret ``settings`` holds. ``channels=False`` leaves out the alert channels'
    (reading them loads apprise's plug-ins: not worth it for output that holds none)."""
    found: set[str] = set(url_secrets(settings.database.url))
    found.add(settings.api.token.get_secret_value())
    if settings.fetch.proxy:
        found |= url_secrets(settings.fetch.proxy)
    for source in settings.sources:
        found |= url_secrets(source.url)
        if source.endpoint:
            found |= url_secrets(source.endpoint)
    if channels:
        for alert in settings.alerts:
            found |= channel_secrets(alert.url)
    return Redactor(found)


def channel_names(settings: Settings) -> dict[str, str]:
    """Each configured channel's name by its outbox key: ``[[alerts]] name``, else its URL
    with the secret parts masked. The outbox stores keys (hashes); people read names."""
    from scheduler.channels import channel_key  # apprise, loaded only where channels are

    return {
        channel_key(alert.url): alert.name or mask_channel(alert.url).label
        for alert in settings.alerts
    }


def named_alert(row: storage.AlertRow, names: dict[str, str]) -> storage.AlertRow:
    """An alert whose deliveries name their channels (a channel no longer configured keeps
    its key)."""
    deliveries = tuple(
        dataclasses.replace(d, channel=names.get(d.channel, d.channel)) for d in row.deliveries
    )
    return dataclasses.replace(row, deliveries=deliveries)


def named_backlog(
    rows: list[storage.ChannelBacklog], names: dict[str, str]
) -> list[storage.ChannelBacklog]:
    """Backlogs with their channels' names."""
    return [dataclasses.replace(row, channel=names.get(row.channel, row.channel)) for row in rows]


def masked_source(row: storage.SourceRow, redactor: Redactor) -> storage.SourceRow:
    """A source with the credentials in its URL and last error masked."""
    return dataclasses.replace(
        row, url=redactor.url(row.url), last_error=redactor.optional(row.last_error)
    )


def masked_article(row: storage.ArticleRow, redactor: Redactor) -> storage.ArticleRow:
    """An article whose source URL (which may carry a feed's credentials) is masked."""
    if row.source_url is None:
        return row
    return dataclasses.replace(row, source_url=redactor.url(row.source_url))


def masked_alert(row: storage.AlertRow, redactor: Redactor) -> storage.AlertRow:
    """An alert whose delivery errors are masked (rows stored before errors were masked
    may still hold a channel's token)."""
    deliveries = tuple(
        dataclasses.replace(d, last_error=redactor.optional(d.last_error)) for d in row.deliveries
    )
    return dataclasses.replace(row, deliveries=deliveries)


def masked_export(item: storage.ExportItem, redactor: Redactor) -> storage.ExportItem:
    """An exported version whose article's source URL is masked."""
    return dataclasses.replace(item, article=masked_article(item.article, redactor))
