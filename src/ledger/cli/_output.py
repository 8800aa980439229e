"""How commands print: a table for people, JSON, JSON Lines or CSV for programs; and
progress on stderr for anything slow.

A command builds a :class:`Report` (a few facts, rows, notes) and :func:`emit` renders
it: ``table`` (rich; the default), ``json`` (one object: the facts, the rows under
``rows_name``, the notes under ``notes_name``), ``jsonl`` or ``csv`` (the rows only,
one per line). rich is imported only when a table or a progress bar is drawn.
"""

from __future__ import annotations

import csv
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs
import click
import orjson

__all__ = ["FORMATS", "Report", "emit", "format_option", "progress"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "jsonl", "csv")


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS, case_sensitive=False),
        default="table",
        show_default=True,
        help="table for reading; json, jsonl or csv for programs.",
    )(function)


@attrs.frozen
class Report:
    """What a command shows: a title, facts (name → value), rows, and notes."""

    title: str
    facts: Mapping[str, Any]
    rows: Sequence[Mapping[str, Any]] = ()
    columns: Sequence[str] = ()
    rows_name: str = "rows"
    notes: Sequence[str] = ()
    notes_name: str = "notes"
    empty: str = "(none)"


def emit(report: Report, fmt: str) -> None:
    """Print ``report`` to stdout in ``fmt`` (one of :data:`FORMATS`)."""
    fmt = fmt.lower()
    if fmt == "json":
        document = dict(report.facts)
        if report.columns:
            document[report.rows_name] = list(report.rows)
        if report.notes:
            document[report.notes_name] = list(report.notes)
        _write_bytes(orjson.dumps(document, default=_jsonable, option=orjson.OPT_INDENT_2))
        _write_bytes(b"\n")
    elif fmt == "jsonl":
        for row in report.rows:
            _write_bytes(orjson.dumps(dict(row), default=_jsonable) + b"\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        columns = list(report.columns)
        writer.writerow(columns)
        writer.writerows([_cell(row.get(name)) for name in columns] for row in report.rows)
    else:
        _table(report)


def _write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return value


def _shown(value: Any, zone: str = " UTC") -> str:
    """A value as a person reads it: floats to 3 places, times in UTC to the minute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + zone
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _table(report: Report) -> None:
    from rich.console import Console  # noqa: PLC0415 - rich only for tables
    from rich.table import Table  # noqa: PLC0415

    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 200  # a file or a pipe: keep rows on one line rather than wrap at 80
    console.print(f"[bold]{report.title}[/bold]", markup=True)
    for name, value in report.facts.items():
        console.print(f"  {name.replace('_', ' ')}: {_shown(value)}", markup=False)
    if report.columns:
        if report.rows:
            headers = [name.replace("_", " ") for name in report.columns]
            table = Table(*headers, box=None, caption=_caption(report), caption_justify="left")
            for row in report.rows:
                table.add_row(*[_shown(row.get(name), zone="") for name in report.columns])
            console.print(table)
        else:
            console.print(report.empty, markup=False)
    for note in report.notes:
        console.print(f"  - {note}", markup=False)


def _caption(report: Report) -> str | None:
    timed = any(isinstance(value, datetime) for value in report.rows[0].values())
    return "times in UTC" if timed else None


@contextmanager
def progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (only when it is a terminal); yields ``update(done)``."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console  # noqa: PLC0415 - rich.progress is slow to import
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn())
    more = (MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, *more, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        lock = threading.Lock()

        def update(done: int) -> None:
            with lock:
                bar.update(task, completed=done)

        yield update
        if total is not None:
            update(total)
