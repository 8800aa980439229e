"""The demo's second part: a real message log, when ``../shared/data`` is there.

CollegeMsg (SNAP; Panzarasa, Opsahl & Carley 2009) holds the private messages of an
online student community from April to October 2004: 59,835 messages between 1,899
people, 37 of them exact repeats that stay separate touchpoints.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from ledger import Ledger
from ledger.outputs.export import export
from ledger.outputs.plot import plot_network
from ledger.sources import import_edges

__all__ = ["COLLEGE_MSG", "find_shared_data", "show_outputs", "show_real_log"]

COLLEGE_MSG = Path("snap") / "CollegeMsg.txt.gz"
REAL_START = datetime(2004, 4, 15, tzinfo=UTC)
REAL_DATES = (datetime(2004, 6, 30, 23, 59, tzinfo=UTC), datetime(2004, 10, 31, 23, 59, tzinfo=UTC))
"""Mid-way, when the community was busiest, and the end of the log."""


def find_shared_data() -> Path | None:
    """``$LEDGER_DEMO_DATA``, else ``../shared/data`` beside the working directory or the
    repository; None when none of them exists."""
    here = Path(__file__).resolve()
    candidates: list[Path] = [Path.cwd().parent / "shared" / "data"]
    if len(here.parents) > 4:  # src/ledger/cli/_demo_real.py in a checkout
        candidates.append(here.parents[4] / "shared" / "data")
    if os.environ.get("LEDGER_DEMO_DATA"):
        candidates.insert(0, Path(os.environ["LEDGER_DEMO_DATA"]))
    return next((candidate for candidate in candidates if candidate.is_dir()), None)


def show_real_log(
    console: Console,
    out_dir: Path,
    fresh_ledger: Callable[[Path], Ledger],
    report: Callable[[Ledger, Console, tuple[datetime, ...]], None],
) -> bool:
    """Import CollegeMsg, report on it and write its plot and export; False if absent."""
    data = find_shared_data()
    if data is None or not (data / COLLEGE_MSG).is_file():
        return False
    with fresh_ledger(out_dir / "collegemsg.db") as book:
        summary = import_edges(book, data / COLLEGE_MSG, kind="message", source="snap:CollegeMsg")
        console.rule("A real log: CollegeMsg (SNAP), April to October 2004")
        console.print(
            f"Imported {summary.rows_read:,} lines: {summary.added:,} touchpoints and "
            f"{summary.people_added:,} people ({summary.ignored:,} already there)."
        )
        report(book, console, REAL_DATES)
        show_outputs(book, console, out_dir / "collegemsg", (REAL_START, REAL_DATES[-1]))
    return True


def show_outputs(
    book: Ledger, console: Console, stem: Path, span: tuple[datetime, datetime]
) -> None:
    """Write the decay export at the end of ``span`` (CSV) and the network over the span
    (PNG) beside ``stem``."""
    csv_path = stem.with_name(stem.name + "-decay.csv")
    png_path = stem.with_name(stem.name + "-network.png")
    rows = export(book, "decay", "csv", csv_path, as_of=span[1])
    plot_network(book, png_path, points=14, since=span[0], until=span[1])
    console.print(f"Wrote {rows:,} pairs' strengths to {csv_path} and a plot to {png_path}.")
