"""The table of issue 5, from the rows the benchmarks measured.

``make bench`` prints it at the end (``conftest.pytest_terminal_summary``) and writes
``benchmarks/results.json``; ``python benchmarks/report.py [results.json]`` prints it
again from that file (``--markdown`` for the README).
"""

from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

RESULTS_FILE = Path(__file__).resolve().parent / "results.json"

ORDER = (
    "import",
    "es_per_event",
    "es_batched",
    "replay",
    "decay_t1",
    "decay_t2",
    "decay_t3",
    "decay_t4",
    "point_query",
    "catch_up",
    "startup_help",
    "startup_import",
    "rss",
    "pg_import",
    "pg_replay",
    "encrypted_import",
    "encrypted_replay",
)
_HEADER = ("what", "ledger", "reference (same run)", "ratio", "target", "met?")


def _cells(row: Any) -> tuple[str, ...]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    ratio = get("ratio")
    met = get("met")
    return (
        get("what"),
        get("ledger"),
        get("reference"),
        "" if ratio is None else f"{ratio:.3g}",
        get("target"),
        "report" if met is None else ("yes" if met else "NO"),
    )


def _ordered(rows: Sequence[Any]) -> list[Any]:
    def key(row: Any) -> int:
        name = row["key"] if isinstance(row, dict) else row.key
        return ORDER.index(name) if name in ORDER else len(ORDER)

    return sorted(rows, key=key)


def render(rows: Sequence[Any]) -> str:
    """A plain-text table, columns padded to their widest cell."""
    table = [_HEADER, *(_cells(row) for row in _ordered(rows))]
    widths = [max(len(line[i]) for line in table) for i in range(len(_HEADER))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in table
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: Sequence[Any]) -> str:
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in _ordered(rows)]
    return "\n".join(lines)


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """What the figures were measured on, and when."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in _command("lscpu").splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    cores = os.cpu_count() or 0
    python = platform.python_version()
    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model,
        "cores": cores,
        "python": python,
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": metadata.version("eventsourcing"),
        "duckdb": metadata.version("duckdb"),
        "commit": _command("git", "-C", str(RESULTS_FILE.parent), "rev-parse", "--short", "HEAD"),
    }
    info["summary"] = (
        f"{info['date']}, {cores} cores {model}, Python {python}, SQLite {info['sqlite']}, "
        f"commit {info['commit']}"
    )
    return info


def write_results(rows: Sequence[Any], info: dict[str, Any], path: Path) -> None:
    payload = {"machine": info, "rows": [row.as_dict() for row in _ordered(rows)]}
    path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")


def main(argv: Sequence[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else RESULTS_FILE
    payload = orjson.loads(path.read_bytes())
    print(payload["machine"]["summary"])
    print(markdown(payload["rows"]) if "--markdown" in argv else render(payload["rows"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
