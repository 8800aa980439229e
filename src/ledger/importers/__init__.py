"""Importers: real histories (edge logs, CSV, LinkedIn exports, meetings, calendars) in."""

from __future__ import annotations

__all__: list[str] = []
