"""The plain incident table: the schema's own columns and their synonyms, nothing derived."""

from __future__ import annotations

from .layout import SourceLayout

__all__ = ["LAYOUT"]

LAYOUT = SourceLayout(name="table", title="incident table", matches=lambda columns: True)
"""The default: any table that no other source recognises."""
