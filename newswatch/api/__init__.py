"""The HTTP API, Atom feeds and web page: one FastAPI app built by :func:`create_app`."""

from newswatch.api.app import create_app

__all__ = ["create_app"]
