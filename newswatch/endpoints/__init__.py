"""What every HTTP endpoint is given, whichever door it belongs to (the API, the feeds, the web
pages): the read session and settings (``deps``), bounded parameters (``params``), the
aggregates cache (``cache``) and the article a request names (``articles``).

``newswatch.api`` and ``newswatch.web`` both build on this package and neither on the other's
handlers; ``newswatch.api.app`` assembles the one FastAPI app from both.
"""
