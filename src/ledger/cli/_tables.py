"""Tables that fit: :func:`fitted` lays a report's rows out in a width.

Each column is one of: an id (never cut, never wrapped), a name (cut with an
ellipsis), a number or a time (never wrapped), or text (wrapped). When the one-line
layout is wider than the width, the report's ``stack`` puts values under others (an
id under its time, a note under whom it concerns), then its ``drop`` columns are left
out one by one, and the caption names them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from ledger.cli._output import shown

if TYPE_CHECKING:
    from rich.table import Table

    from ledger.cli._output import Report

__all__ = ["fitted"]

_NAME = 24
"""A name column's width at most, before the ellipsis."""
_NAME_MIN = 10
_TEXT_MIN = 16
_PAD = 2


def fitted(report: Report, zone: tzinfo, width: int, caption: str | None) -> Table:
    """The rows of ``report`` as a rich table at most ``width`` columns wide."""
    cells = [{name: shown(value, zone) for name, value in row.items()} for row in report.rows]
    kinds = _kinds(report)
    wanted = [name for name in (report.table or report.columns) if _filled(name, cells)]
    layout: list[tuple[str, ...]] = [(name,) for name in wanted]
    if _needed(layout, cells, kinds) > width and report.stack:
        layout = _stacked(layout, report.stack)
    dropped: list[str] = []
    for name in report.drop:
        if _needed(layout, cells, kinds) <= width:
            break
        layout = [column for column in layout if column[0] != name]
        dropped.append(name)
    if dropped:
        left = ", ".join(name.replace("_", " ") for name in dropped)
        caption = f"{caption + '; ' if caption else ''}left out to fit: {left} (see --format json)"
    return _table(layout, cells, kinds, caption)


def _filled(name: str, cells: list[dict[str, str]]) -> bool:
    """Whether any row has a value in column ``name`` (empty columns are left out)."""
    return any(cell.get(name) for cell in cells)


def _kinds(report: Report) -> dict[str, str]:
    kinds: dict[str, str] = {}
    sample = report.rows[:200]
    for name in {*report.columns, *report.table}:
        values = [row.get(name) for row in sample if row.get(name) is not None]
        if name in report.ids:
            kinds[name] = "id"
        elif name in report.names:
            kinds[name] = "name"
        elif values and all(isinstance(v, datetime) for v in values):
            kinds[name] = "time"
        elif values and all(isinstance(v, int | float) for v in values):
            kinds[name] = "number"
        else:
            kinds[name] = "text"
    return kinds


def _stacked(
    layout: list[tuple[str, ...]], stack: Mapping[str, Sequence[str]]
) -> list[tuple[str, ...]]:
    under = {name for names in stack.values() for name in names}
    return [(column[0], *stack.get(column[0], ())) for column in layout if column[0] not in under]


def _needed(
    layout: list[tuple[str, ...]], cells: list[dict[str, str]], kinds: dict[str, str]
) -> int:
    """The least width the layout takes: ids, numbers and headers over them whole,
    names and text at their narrowest readable width."""
    total = 0
    for column in layout:
        width = 0
        for name in column:
            natural = max((len(cell.get(name, "")) for cell in cells), default=0)
            kind = kinds.get(name, "text")
            if kind == "name":
                natural = min(natural, _NAME_MIN)
            elif kind == "text":
                natural = min(natural, _TEXT_MIN)
            width = max(width, natural)
        header = " / ".join(_header(name) for name in column)
        width = max(width, *(len(line) for line in _wrapped(header, width).splitlines()))
        total += width + _PAD
    return total


def _header(name: str) -> str:
    return name.replace("_", " ")


def _wrapped(header: str, width: int) -> str:
    """``header`` in lines of at most ``width`` (its longest word, if longer): a long
    header over a narrow column of numbers."""
    lines: list[str] = []
    for word in header.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _table(
    layout: list[tuple[str, ...]],
    cells: list[dict[str, str]],
    kinds: dict[str, str],
    caption: str | None,
) -> Table:
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    table = Table(box=None, caption=caption, caption_justify="left", header_style="bold")
    for column in layout:
        kind = kinds.get(column[0], "text")
        if any(kinds.get(name, "text") == "text" for name in column[1:]):
            kind = "text"  # a note under a name: both wrap
        header = " / ".join(_header(name) for name in column)
        if kind in ("number", "time"):
            longest = max(len(cell.get(name, "")) for cell in cells for name in column)
            header = _wrapped(header, longest)
        if any(kinds.get(name) == "id" for name in column):
            longest = max(len(cell.get(name, "")) for cell in cells for name in column)
            table.add_column(header, no_wrap=True, min_width=longest)
        elif kind == "name":
            narrowest = min(_NAME_MIN, max(len(cell.get(column[0], "")) for cell in cells))
            table.add_column(
                header, no_wrap=True, overflow="ellipsis", max_width=_NAME, min_width=narrowest
            )
        elif kind == "number" and len(column) == 1:
            table.add_column(header, no_wrap=True, justify="right")
        elif kind == "time" and len(column) == 1:
            table.add_column(header, no_wrap=True)
        else:
            table.add_column(header, overflow="fold")
    for cell in cells:
        values = []
        for column in layout:
            parts = [cell.get(name, "") for name in column]
            text = Text(parts[0])
            for part in parts[1:]:
                if part:
                    text.append("\n" + part, style="dim")
            values.append(text)
        table.add_row(*values)
    return table
