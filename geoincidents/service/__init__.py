"""A Nominatim-compatible HTTP geocoding service for the gazetteer (``geoincidents serve``; docs/service.md).

:func:`~geoincidents.service.app.create_app` builds the Starlette application, :func:`serve` runs it with
uvicorn, and :func:`add_parser` / :func:`run` are the ``serve`` command of the ``geoincidents`` command line.
Starlette and uvicorn (the ``serve`` extra) are imported only when the application is built, so the command
line works without them.
"""

from __future__ import annotations

from typing import Any

from .runner import add_parser, make_server, run, serve

__all__ = ["create_app", "serve", "make_server", "add_parser", "run"]


def __getattr__(name: str) -> Any:
    if name == "create_app":  # imports Starlette: only on first use
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'geoincidents.service' has no attribute {name!r}")
