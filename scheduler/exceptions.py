"""The scheduler's exception tree.

SchedulerError
└── ChannelError      an alert channel that cannot be built or did not accept an alert
"""


class SchedulerError(Exception):
    """Base of the scheduler's errors."""


class ChannelError(SchedulerError):
    """An alert channel failed; the message names the channel without its secrets."""
