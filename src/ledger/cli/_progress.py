"""Progress bars for long work, on stderr, only when it is a terminal.

A bar appears only once the work has taken :data:`DELAY` seconds, so quick commands
never flicker; it shows what is done out of how much, the rate and the time left
(when the total is known), or a spinner and the time spent (when it is not). Piped
or redirected, nothing is drawn. rich is imported only when a bar may be drawn.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["DELAY", "progress", "stages"]

DELAY = 0.5
"""Seconds of work before a bar is drawn."""


def _noop(*_: Any) -> None:
    return None


@contextmanager
def progress(label: str, total: int | None, unit: str = "") -> Iterator[Callable[[int], None]]:
    """A bar for one piece of work; yields ``update(done)``."""
    if not sys.stderr.isatty():
        yield _noop
        return
    with _bars() as bars:
        task = bars.add(label, total, unit)

        def update(done: int) -> None:
            bars.update(task, done, total)

        yield update
        if total is not None:
            update(total)


@contextmanager
def stages(label: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """Bars for work in stages (an import: reading, then writing); yields
    ``update(stage, done, total)``, or None when nothing is drawn."""
    if not sys.stderr.isatty():
        yield None
        return
    with _bars() as bars:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                verb = {"read": "reading", "write": "writing"}.get(stage, stage)
                tasks[stage] = bars.add(f"{verb} {label}", total or None, "rows")
            bars.update(tasks[stage], done, total or None)

        yield update


class _Bars:
    """A rich Progress that starts drawing only after :data:`DELAY` seconds."""

    def __init__(self) -> None:
        from rich.console import Console  # noqa: PLC0415 - slow to import
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.lock = threading.Lock()
        self.done = False
        self.timer = threading.Timer(DELAY, self._start)
        self.timer.daemon = True

    def _start(self) -> None:
        with self.lock:
            if not self.done:
                self.progress.start()

    def add(self, label: str, total: int | None, unit: str) -> Any:
        return self.progress.add_task(label, total=total, rate="", unit=unit)

    def update(self, task: Any, done: int, total: int | None) -> None:
        with self.lock:
            self.progress.update(task, completed=done, total=total)
            found = next(t for t in self.progress.tasks if t.id == task)
            elapsed, unit = found.elapsed, found.fields.get("unit", "")
            # the mean rate so far: pages of work may be few and far between
            speed = done / elapsed if elapsed and done else None
            rate = f"{speed:,.0f} {unit}/s".replace(" /s", "/s") if speed else ""
            self.progress.update(task, rate=rate)

    def stop(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.done = True
            self.progress.stop()


@contextmanager
def _bars() -> Iterator[_Bars]:
    bars = _Bars()
    bars.timer.start()
    try:
        yield bars
    finally:
        bars.stop()
