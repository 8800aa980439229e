"""Session fixtures of the benchmarks, and the tables printed at the end of ``make bench``.

The 332k-touchpoint SQLite ledger is built once per session in a temporary folder;
benchmarks that change a ledger work on a copy of its file. Each benchmark adds its
rows (of issue 5's, 14's, ... table) to ``results``; the summary hook prints the
tables and (full runs only) merges them into ``benchmarks/results.json``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
from _harness import EMAIL, MATHOVERFLOW, SAMPLE_LINES, SMOKE, Row, copy_ledger, load, sample
from report import RESULTS_FILE, machine, render, write_results

import ledger
from ledger.sources import import_edges

_RESULTS = pytest.StashKey[dict[str, Row]]()


_LOAD_AT_START = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RESULTS] = {}
    config.stash[_LOAD_AT_START] = load()


_FILE_ORDER = (
    "test_import",
    "test_replay",
    "test_queries",
    "test_startup",
    "test_memory",
    "test_exports",
    "test_audit",
    "test_storage",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """SQLite rows first: the eventsourcing and PostgreSQL rows compare with them."""

    def rank(item: pytest.Item) -> int:
        stem = item.path.stem
        return _FILE_ORDER.index(stem) if stem in _FILE_ORDER else len(_FILE_ORDER)

    items.sort(key=rank)  # stable: the order within a file is kept


@pytest.fixture(scope="session")
def results(pytestconfig: pytest.Config) -> dict[str, Row]:
    """Where each benchmark leaves its row of the table."""
    return pytestconfig.stash[_RESULTS]


@pytest.fixture(scope="session")
def record_row(results: dict[str, Row]) -> Callable[[object, Row], None]:
    def record(benchmark: object, row: Row) -> None:
        row = attrs.evolve(row, figures={**row.figures, "load": load()})
        results[row.key] = row
        # Keyed by row: one benchmark may fill several rows (start-up does).
        benchmark.extra_info[row.key] = {  # type: ignore[attr-defined]
            "ratio": row.ratio,
            "met": row.met,
            "target": row.target,
            **row.figures,
        }

    return record


def _real(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data absent: {path} (see ../shared/data/README.md)")
    return path


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def email_log(data_dir: Path) -> Path:
    """email-Eu-core-temporal (332,334 touchpoints), or its first lines in a smoke run."""
    return sample(_real(EMAIL), data_dir)


@pytest.fixture(scope="session")
def mathoverflow_log(data_dir: Path) -> Path:
    """sx-mathoverflow (506,550 lines, 390,441 touchpoints without the self-loops)."""
    return sample(_real(MATHOVERFLOW), data_dir)


@pytest.fixture(scope="session")
def email_imported(tmp_path_factory: pytest.TempPathFactory, email_log: Path) -> Path:
    """A SQLite ledger file holding the email log as imported: its views not caught up
    yet. Do not change it: copy it (``_harness.copy_ledger``)."""
    path = tmp_path_factory.mktemp("email-imported") / "ledger.db"
    with ledger.open(f"sqlite:///{path}") as book:
        import_edges(book, email_log)
    return path


@pytest.fixture(scope="session")
def email_ledger(tmp_path_factory: pytest.TempPathFactory, email_imported: Path) -> Path:
    """A SQLite ledger file holding the email log, views caught up. Do not change it:
    copy it with ``ledger_copy``."""
    path = copy_ledger(email_imported, tmp_path_factory.mktemp("email") / "ledger.db")
    with ledger.open(f"sqlite:///{path}") as book:
        book.catch_up()
    return path


@pytest.fixture(scope="session")
def mathoverflow_ledger(tmp_path_factory: pytest.TempPathFactory, mathoverflow_log: Path) -> Path:
    """A SQLite ledger file holding sx-mathoverflow (self-loops skipped), caught up."""
    path = tmp_path_factory.mktemp("mathoverflow") / "ledger.db"
    with ledger.open(f"sqlite:///{path}") as book:
        import_edges(book, mathoverflow_log, skip_invalid=True)
        book.catch_up()
    return path


@pytest.fixture
def ledger_copy(email_ledger: Path, tmp_path: Path) -> Callable[[], Path]:
    """A function that copies the session's email ledger to a new file it may change."""

    def copy() -> Path:
        return copy_ledger(email_ledger, tmp_path / f"copy-{time.monotonic_ns()}.db")

    return copy


@pytest.fixture(scope="session")
def postgres_base() -> str:
    """The PostgreSQL server URL (``$LEDGER_TEST_POSTGRES_URL``), or skip."""
    url = os.environ.get("LEDGER_TEST_POSTGRES_URL", "")
    if not url:
        pytest.skip("no PostgreSQL: set LEDGER_TEST_POSTGRES_URL (scripts/postgres-up.sh)")
    return url.split("?", 1)[0]


@pytest.fixture
def postgres_url(postgres_base: str) -> Iterator[str]:
    """A ledger URL in a fresh schema, dropped afterwards."""
    import uuid

    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_base}?schema={schema}"
    finally:
        with psycopg.connect(postgres_base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's own tables: the table ends the run
def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    rows = config.stash.get(_RESULTS, {})
    if not rows:
        return
    info = machine(config.stash[_LOAD_AT_START])
    write = terminalreporter.write_line  # type: ignore[attr-defined]
    write("")
    smoke = f" (SMOKE: first {SAMPLE_LINES:,} lines, figures not comparable)" if SMOKE else ""
    write(f"ledger vs reference, {info['summary']}{smoke}")
    for line in render(list(rows.values())).splitlines():
        write(line)
    if not SMOKE:
        write_results(list(rows.values()), info, RESULTS_FILE)
        write(f"merged into: {RESULTS_FILE} (python benchmarks/report.py prints it all)")
