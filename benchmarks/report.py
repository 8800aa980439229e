"""The tables of the benchmarks (issues 5, 14, 16, 20), from the rows they measured.

``make bench`` prints them at the end (``conftest.pytest_terminal_summary``) and merges
its rows into ``benchmarks/results.json`` (a row measured again replaces the old one;
each row names the run it comes from, so a partial run, such as the scaling run of
``make bench-scaling``, keeps the others). ``python benchmarks/report.py
[results.json]`` prints them again from that file (``--markdown`` for the README).
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
    # issue 5
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
    # issue 13
    "encrypted_import",
    "encrypted_replay",
    # issue 14
    "first_answer_email",
    "first_answer_mathoverflow",
    "import_floor",
    "replay_rate",
    "catch_up_rate",
    "audit_email",
    "verify_email",
    "audit_mathoverflow",
    "verify_mathoverflow",
    "export_decay",
    "export_network",
    "export_fading",
    "pair_as_of",
    "storage_email",
    "storage_mathoverflow",
    "startup_export",
)
ISSUES = {
    5: "issue 5: speed and memory against the floors and the peers",
    13: "issue 13: encryption at rest",
    14: "issue 14: a first answer in seconds, at a lifetime's scale",
    16: "issue 16: mail import",
    20: "issue 20: ledger serve, server time per page",
}
_HEADER = ("what", "ledger", "reference (same run)", "ratio", "target", "met?")
SCALE_PREFIX = "scale_"
_SCALE_HEADER = (
    "touchpoints",
    "import",
    "first answer",
    "import + first answer",
    "decay export (DuckDB)",
    "network (DuckDB)",
    "fading (DuckDB)",
    "pair as of T",
    "audit",
    "replay --verify",
    "peak RSS",
    "file (bytes/touchpoint)",
)


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name)


def _cells(row: Any) -> tuple[str, ...]:
    ratio = _get(row, "ratio")
    met = _get(row, "met")
    return (
        _get(row, "what"),
        _get(row, "ledger"),
        _get(row, "reference"),
        "" if ratio is None else f"{ratio:.3g}",
        _get(row, "target"),
        "report" if met is None else ("MET" if met else "NOT MET"),
    )


def _scale_cells(row: Any) -> tuple[str, ...]:
    f = _get(row, "figures")
    n = f["touchpoints"]

    def versus(name: str) -> str:
        ours, theirs = f[f"{name}_seconds"], f[f"{name}_duckdb_seconds"]
        return f"{ours:.2f} s ({theirs:.2f} s, {ours / theirs:.2f}x)"

    return (
        f"{n:,}",
        f"{f['import_seconds']:.1f} s ({n / f['import_seconds'] / 1000:.0f}k/s)",
        f"{f['first_answer_seconds']:.1f} s",
        f"{n / (f['import_seconds'] + f['first_answer_seconds']) / 1000:.0f}k/s",
        versus("decay"),
        versus("network"),
        versus("fading"),
        f"{f['pair_ms']:.2f} ms",
        f"{f['audit_seconds']:.1f} s ({n / f['audit_seconds'] / 1000:.0f}k/s)",
        f"{f['verify_seconds']:.1f} s ({n / f['verify_seconds'] / 1000:.0f}k/s)",
        f"{f['peak_rss_mb']:.0f} MB ({f['peak_rss_step']})",
        f"{f['file_bytes'] / 2**20:.0f} MB ({f['file_bytes'] / n:.0f})",
    )


def _rank(row: Any) -> tuple[int, int, str]:
    name = _get(row, "key")
    if name.startswith(SCALE_PREFIX):
        return (1, int(name[len(SCALE_PREFIX) :]), name)
    return (0, ORDER.index(name) if name in ORDER else len(ORDER), name)


def _ordered(rows: Sequence[Any]) -> list[Any]:
    return sorted(rows, key=_rank)


def _groups(rows: Sequence[Any]) -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """``(title, header, lines)`` of each table: one per issue, then the scaling table."""
    tables = []
    ordered = _ordered(rows)
    plain = [r for r in ordered if not _get(r, "key").startswith(SCALE_PREFIX)]
    for issue in sorted({_get(r, "issue") for r in plain}):
        lines = [_cells(r) for r in plain if _get(r, "issue") == issue]
        tables.append((ISSUES.get(issue, f"issue {issue}"), _HEADER, lines))
    scaled = [r for r in ordered if _get(r, "key").startswith(SCALE_PREFIX)]
    if scaled:
        title = "issue 14: scaling (ledgers made of shifted copies of email-Eu-core-temporal)"
        tables.append((title, _SCALE_HEADER, [_scale_cells(r) for r in scaled]))
    return tables


def render(rows: Sequence[Any]) -> str:
    """Plain-text tables, columns padded to their widest cell."""
    out = []
    for title, header, lines in _groups(rows):
        table = [header, *lines]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        text = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
        text.insert(1, "-+-".join("-" * w for w in widths))
        out += ["", title, *text]
    return "\n".join(out)


def markdown(rows: Sequence[Any]) -> str:
    out = []
    for title, header, lines in _groups(rows):
        out += ["", f"**{title}**", "", "| " + " | ".join(header) + " |"]
        out.append("|" + "---|" * len(header))
        out += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(out)


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def machine(load_at_start: str = "") -> dict[str, Any]:
    """What the figures were measured on, and when (and how loaded the machine was)."""
    model = cpu_model()
    cores = os.cpu_count() or 0
    python = platform.python_version()
    load_now = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model,
        "cores": cores,
        "python": python,
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": metadata.version("eventsourcing"),
        "duckdb": metadata.version("duckdb"),
        "commit": _command("git", "-C", str(RESULTS_FILE.parent), "rev-parse", "--short", "HEAD"),
        "load_at_start": load_at_start,
        "load_at_end": load_now,
    }
    info["summary"] = (
        f"{info['date']}, {cores} cores {model}, Python {python}, SQLite {info['sqlite']}, "
        f"commit {info['commit']}, load average {load_at_start or '?'} at the start, "
        f"{load_now} at the end"
    )
    return info


def write_results(rows: Sequence[Any], info: dict[str, Any], path: Path) -> None:
    """Merge ``rows`` (measured in the run ``info`` describes) into ``path``."""
    payload: dict[str, Any] = {"runs": {}, "rows": []}
    if path.exists():
        old = orjson.loads(path.read_bytes())
        if "runs" in old:  # results written before runs were kept apart are dropped
            payload = old
    run = f"{info['date']} {info['commit']}"
    payload["runs"][run] = info
    fresh = {row.key: {**row.as_dict(), "run": run} for row in rows}
    kept = [row for row in payload["rows"] if row["key"] not in fresh]
    payload["rows"] = _ordered([*kept, *fresh.values()])
    used = {row["run"] for row in payload["rows"]}
    payload["runs"] = {name: value for name, value in payload["runs"].items() if name in used}
    path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")


def main(argv: Sequence[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else RESULTS_FILE
    payload = orjson.loads(path.read_bytes())
    for name, info in payload["runs"].items():
        rows = [row for row in payload["rows"] if row["run"] == name]
        print(f"run {name}: {info['summary']} ({len(rows)} rows)")
    print(markdown(payload["rows"]) if "--markdown" in argv else render(payload["rows"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
