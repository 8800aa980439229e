"""Views damaged behind the ledger's back, on SQLite and PostgreSQL.

The views (and their tracking position) are derived from the log, so whatever happens
to them: every read either answers right or says, on one line, ``the views are damaged
(...): run `ledger replay``` (never "unexpected ..."); ``ledger audit``, ``ledger init``
and ``ledger replay`` are never stopped by them; and after ``ledger replay`` every read
is right again and the audit clean (it compares the views with a replay, as ``ledger
replay --verify`` does).

Each damage is an SQL statement run through the driver, as someone with the database's
credentials would (``sqlite3``, ``psql``). After it, one more touch of the damaged pair
is recorded through the API (writing the log needs no view), so that a damaged pair
state or catch-up lock is met by the next catch-up, as it would be in use.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main
from ledger.views._schema import TABLES

AS_OF = "2024-01-15"
"""Reads are asked as of a day before the touches recorded after the damage."""
READS = (
    ("pair", "ann", "bob", "--as-of", AS_OF, "--format", "json"),
    ("person", "list", "--format", "json"),
    ("timeline", "ann", "--until", AS_OF, "--format", "csv"),
    ("settings", "--format", "json"),
    ("export", "decay", "--as-of", AS_OF, "-o", "OUT.csv"),
)
DAMAGED = "the views are damaged ("


@attrs.frozen
class Damage:
    sql: str
    seen: bool = True
    """Whether some read must say the views are damaged (else they may heal unseen)."""
    value: Any = None
    sqlite_only: bool = False


DAMAGES = {
    "position moved back": Damage("UPDATE {tracking} SET notification_id = 2 {ledger_row}"),
    "position removed": Damage("DELETE FROM {tracking} {ledger_row}"),
    "tracking table dropped": Damage("DROP TABLE {tracking}"),
    "pair state not JSON": Damage("UPDATE {view_pairs} SET state = '{{not json'"),
    "pair state not text": Damage("UPDATE {view_pairs} SET state = ?", value=b"\xff\x00"),
    "segment not a segment": Damage("UPDATE {view_segments} SET data = ?", value=b"\x00\xff"),
    "row kind out of range": Damage("UPDATE {view_rows} SET kind = 99"),
    "attribute not JSON": Damage("UPDATE {view_attributes} SET value = '{{x'"),
    "settings row not JSON": Damage("UPDATE {view_settings} SET value = '{{bad'"),
    "settings row not text": Damage(
        "UPDATE {view_settings} SET value = ?", value=b"\xff\xfe", sqlite_only=True
    ),
    "settings table dropped": Damage("DROP TABLE {view_settings}"),
    "rows table dropped": Damage("DROP TABLE {view_rows}"),
    "people table dropped": Damage("DROP TABLE {view_people}"),
    "lock table dropped": Damage("DROP TABLE {view_lock}"),
    "meta rows deleted": Damage("DELETE FROM {view_meta}", seen=False),
    "fingerprint edited": Damage(
        "UPDATE {view_meta} SET value = 'edited' WHERE key = 'fingerprint'", seen=False
    ),
}


def run(url: str, *args: str) -> Result:
    return CliRunner(env={"LEDGER_TZ": "UTC"}).invoke(main, ["--db", url, *args])


def read(url: str, args: tuple[str, ...], folder: Path) -> tuple[Result, str]:
    """A read, and what it answered: its output, and the file it wrote, if any."""
    out = folder / "OUT.csv"
    out.unlink(missing_ok=True)
    result = run(url, *(str(out) if arg == "OUT.csv" else arg for arg in args))
    written = out.read_text() if out.exists() else ""
    return result, result.stdout + written


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.output
    return lines[0]


def make(url: str) -> None:
    with ledger.open(url) as book:
        for key in ("ann", "bob", "cat"):
            book.add_person(key, key.title(), location="Lyon")
        book.record("message", "ann", "bob", "2024-01-01T10:00:00Z")
        book.record("call", "bob", "ann", "2024-01-02T10:00:00Z", duration_seconds=600)
        book.record("meeting", "ann", ["bob", "cat"], "2024-01-03T10:00:00Z")
        book.set_owner("ann")
        book.set_decay(60.0)
        book.record("message", "cat", "ann", "2024-01-04T10:00:00Z")
        book.catch_up()


def damage(url: str, how: Damage) -> None:
    """Run ``how`` on the database at ``url``, checking that it changed something."""
    with ledger.open(url) as book:
        store = book._store
    names = {name: store.dialect.qualify(f"ledger_{name}") for name in TABLES}
    names["tracking"] = store.storage.tracking_table
    names["ledger_row"] = "WHERE application_name = 'Ledger'"
    sql = how.sql.format(**names).replace("?", store.dialect.placeholder)
    params = () if how.value is None else (how.value,)
    changed = _execute(url, sql, params)
    assert changed != 0, f"the damage changed nothing: {sql}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.mark.parametrize("name", list(DAMAGES))
def test_damaged_views_are_named_and_replay_repairs_them(
    storage: str, name: str, tmp_path: Path
) -> None:
    how = DAMAGES[name]
    if how.sqlite_only and storage.startswith("postgres"):
        pytest.skip("PostgreSQL's TEXT holds no invalid UTF-8: the damage cannot be made")
    make(storage)
    expected = {args: _read(storage, args, tmp_path) for args in READS}
    damage(storage, how)
    with ledger.open(storage) as book:  # the log is written without the views
        book.record("message", "bob", "ann", "2024-02-01T10:00:00Z")
    said = [_right_or_damaged(storage, args, expected[args], tmp_path) for args in READS]
    if how.seen:
        assert any(said), f"no read noticed: {name}"
    _audit_runs(storage)
    init = run(storage, "init")
    assert init.exit_code == 0, init.output
    assert "unexpected" not in init.output
    replay = run(storage, "replay")
    assert replay.exit_code == 0, replay.output
    for args in READS:
        assert _read(storage, args, tmp_path) == expected[args], args
    audit = run(storage, "audit")  # which compares the views with a replay, as --verify
    assert audit.exit_code == 0, audit.output
    assert _pair_touches(storage) == 4  # the three ann-bob touches, and the one after


def test_a_damaged_read_is_one_line_naming_replay(sqlite_url: str) -> None:
    """The line itself, once: what happened, and what to do."""
    make(sqlite_url)
    damage(sqlite_url, DAMAGES["settings row not JSON"])
    result = run(sqlite_url, "person", "list")
    assert result.exit_code == 1
    line = one_line(result)
    assert line.startswith("error: the views are damaged (")
    assert line.endswith("run `ledger replay`")


def test_init_rebuilds_damaged_views_and_says_so(sqlite_url: str) -> None:
    make(sqlite_url)
    damage(sqlite_url, DAMAGES["position removed"])
    init = run(sqlite_url, "init")
    assert init.exit_code == 0
    assert "note: the views were damaged" in init.stderr and "rebuilding them" in init.stderr
    assert run(sqlite_url, "replay", "--verify").exit_code == 0


def test_audit_names_damaged_views_as_a_projection_problem(sqlite_url: str) -> None:
    make(sqlite_url)
    damage(sqlite_url, DAMAGES["settings table dropped"])
    audit = run(sqlite_url, "audit", "--format", "json")
    assert audit.exit_code == 1
    report = orjson.loads(audit.stdout)
    assert report["events"] == 9  # the log was read
    assert [p["kind"] for p in report["problems"]] == ["projection"]
    assert DAMAGED in report["problems"][0]["message"]
    line = one_line(audit)
    assert "projection: the views could not be compared" in line and DAMAGED in line


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE {store} SET value = 'zz' WHERE key = 'compressor'", "compressor is 'zz'"),
        ("DELETE FROM {store} WHERE key = 'format'", "format is '(missing)'"),
        ("UPDATE {store} SET value = 'not hex' WHERE key = 'id_key'", "id_key or index_key"),
    ],
)
def test_damaged_store_settings_are_named_not_unexpected(
    storage: str, sql: str, named: str
) -> None:
    """The store's own settings (how events are stored, the ledger's keys) are not views:
    nothing rebuilds them, so every command stops, saying which one and what to do."""
    make(storage)
    with ledger.open(storage) as book:
        table = book._store.dialect.qualify("ledger_store")
    assert _execute(storage, sql.format(store=table), ()) == 1
    for args in (("audit",), ("replay",), ("init",), ("person", "list")):
        result = run(storage, *args)
        assert result.exit_code == 1
        line = one_line(result)
        assert "damaged settings of its own (ledger_store: " + named in line, line
        assert line.endswith("restore it from a backup")


def _read(url: str, args: tuple[str, ...], folder: Path) -> str:
    result, answer = read(url, args, folder)
    assert result.exit_code == 0, result.output
    return answer


def _right_or_damaged(url: str, args: tuple[str, ...], expected: str, folder: Path) -> bool:
    """Whether the read said the views are damaged (else it must have answered right)."""
    result, answer = read(url, args, folder)
    if result.exit_code == 0:
        assert answer == expected, args
        return False
    assert result.exit_code == 1, result.output
    line = one_line(result)
    assert line.startswith(f"error: {DAMAGED}") and line.endswith("run `ledger replay`"), line
    return True


def _audit_runs(url: str) -> None:
    """The audit reads the whole log whatever the views; their damage is a finding."""
    audit = run(url, "audit", "--format", "json")
    report = orjson.loads(audit.stdout)
    assert report["events"] == 10, audit.output  # the log was read, every event of it
    assert {p["kind"] for p in report["problems"]} <= {"projection"}
    assert audit.exit_code == (1 if report["problems"] else 0)


def _pair_touches(url: str) -> int:
    with ledger.open(url) as book:
        view = book.pair("ann", "bob")
    assert view is not None
    return int(view.decay.touches)


def _execute(url: str, sql: str, params: tuple[Any, ...]) -> int:
    """Run ``sql`` through the driver, as a person with the credentials would; the rows
    it changed (-1 for a statement that changes none, such as DROP TABLE)."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            cursor = db.execute(sql, params)
            db.commit()
            return cursor.rowcount
    import psycopg

    dsn, _, query = url.partition("?")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{query.removeprefix("schema=")}"')
        return int(conn.execute(sql, params or None).rowcount)
