"""The web page: coverage timeline, recent coverage and edits, search, article histories with
side-by-side diffs. Served by the same FastAPI app as the API (see ``newswatch.api``)."""

from newswatch.web.sidebyside import Row, Segment, side_by_side

__all__ = ["Row", "Segment", "side_by_side"]
