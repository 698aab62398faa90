"""The newsroom: a local news site that tests and ``newswatch demo`` run on loopback."""

from newswatch.newsroom.room import Newsroom, RequestRecord
from newswatch.newsroom.stories import Story

__all__ = ["Newsroom", "RequestRecord", "Story"]
