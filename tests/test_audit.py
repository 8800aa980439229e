"""``Ledger.audit``: a clean log audits ok everywhere; rows edited, deleted or inserted
behind the ledger's back (straight into the SQLite file) are caught at their position."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import ledger
from ledger.store.audit import AuditReport
from ledger.store.sqlite import _SQLiteWriter

T0 = "2024-01-01T09:00:00+00:00"


def populate(book: ledger.Ledger) -> str:
    """People, touchpoints, a retraction and an attribute update; the retracted id."""
    book.add_person("ada", "Ada Lovelace", org="Analytical Engines")
    book.add_person("bob", "Bob")
    book.add_person("cy")
    wrong = book.record("meeting", "ada", "bob", T0, note="lunch at noon")
    book.record("message", "bob", "ada", "2024-01-02T09:00:00+00:00")
    book.record_many(
        [ledger.Touch("call", "cy", ["ada", "bob"], "2024-01-03T09:00:00+00:00")],
        create_people=False,
    )
    book.retract(wrong, "recorded twice")
    book.update_person("ada", since="2024-02-01T00:00:00+00:00", org="Difference Engines")
    return wrong


def chained(book: ledger.Ledger) -> tuple[int, int]:
    """(last notification id of the log, last id of the chain)."""
    bounds: tuple[int, int] = book._chain.bounds()
    return bounds


def kinds(report: AuditReport) -> list[tuple[int | None, str]]:
    return [(problem.position, problem.kind) for problem in report.problems]


# -- a clean ledger ------------------------------------------------------------------------
def test_a_clean_ledger_audits_ok_on_every_storage(book: ledger.Ledger) -> None:
    assert book.audit().ok
    empty_head = book.audit().head
    populate(book)
    book.catch_up()
    report = book.audit()
    assert report.ok, report.problems
    assert report.events == 9
    assert report.counts == {
        "ledger.facts.events:Person.AttributesChanged v1": 2,
        "ledger.facts.events:Person.Registered v1": 3,
        "ledger.facts.events:Touchpoint.Recorded v1": 3,
        "ledger.facts.events:Touchpoint.Retracted v1": 1,
    }
    assert len(report.head) == 64 and report.head != empty_head
    assert book.audit(expect_head=report.head).ok
    assert book.audit(expect_head=report.head.upper()).ok


def test_every_write_path_appends_to_the_chain(book: ledger.Ledger) -> None:
    heads = [book.audit().head]
    wrong = book.record_many(
        [ledger.Touch("meeting", "ada", ["bob"], T0, source_ref="m1")], create_people=True
    ).touchpoint_ids[0]
    heads.append(book.audit().head)
    book.add_person("cy", "Cy", org="X")
    heads.append(book.audit().head)
    book.record("message", "cy", "ada", T0)
    heads.append(book.audit().head)
    book.retract(wrong, "wrong")
    heads.append(book.audit().head)
    book.update_person("cy", org="Y")
    heads.append(book.audit().head)
    assert len(set(heads)) == len(heads)
    logged, chain_top = chained(book)
    assert logged == chain_top
    report = book.audit()
    assert report.ok, report.problems
    assert report.events == 8  # ada, bob, meeting, cy (+ attributes), message, retraction, update


def test_each_write_moves_the_head_and_an_old_head_stays_valid(book: ledger.Ledger) -> None:
    book.add_person("ada")
    noted = book.audit().head
    book.add_person("bob")
    book.record("meeting", "ada", "bob", T0)
    later = book.audit(expect_head=noted)
    assert later.ok and later.head != noted
    assert kinds(book.audit(expect_head="ab" * 32)) == [(None, "head")]


def test_a_conflicting_writer_leaves_no_stray_chain_rows(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        first.add_person("ada")
        wrong = first.record_many(
            [ledger.Touch("meeting", "ada", ["bob"], T0)], create_people=True
        ).touchpoint_ids[0]
        # Were the second writer's check to miss "ada" (stored by the first), its batch
        # ("aaron", then "ada", then the touchpoint) would collide on ada's primary key
        # after aaron went in: it is rolled back whole, chain rows included.
        real = _SQLiteWriter.existing
        calls: list[int] = []

        def stale(self: _SQLiteWriter, ids: Any) -> set[str]:
            calls.append(1)
            return set() if len(calls) == 1 else real(self, ids)

        monkeypatch.setattr(_SQLiteWriter, "existing", stale)
        batch = [ledger.Touch("meeting", "aaron", ["ada"], T0)]
        with pytest.raises(ledger.LedgerError, match="collided with another writer"):
            second.record_many(batch, create_people=True)
        assert chained(second) == (3, 3) and second.people() == ["ada", "bob"]
        summary = second.record_many(batch, create_people=True)
        assert (summary.added, summary.people_added, len(calls)) == (1, 1, 2)
        # A retraction racing another one: the loser writes nothing.
        stale = second._touchpoint_aggregate(wrong)
        first.retract(wrong, "wrong")
        monkeypatch.setattr(second, "_touchpoint_aggregate", lambda _: stale)
        with pytest.raises(ledger.AlreadyRetractedError):
            second.retract(wrong, "also wrong")
        assert chained(second) == (6, 6)
        assert second.audit().ok


# -- tampering with a real SQLite file -----------------------------------------------------
@pytest.fixture
def closed_file(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A populated SQLite ledger with its views caught up, closed: (url, path)."""
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    with ledger.open(url) as book:
        populate(book)
        book.catch_up()
        assert book.audit().ok
    yield url, path


def rows(path: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return list(db.execute("SELECT rowid, * FROM stored_events ORDER BY rowid"))


def tamper(path: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(sql, params)
        db.commit()
    finally:
        db.close()


def audit(url: str, expect_head: str | None = None) -> AuditReport:
    with ledger.open(url) as book:
        return book.audit(expect_head)


def test_an_edited_row_is_caught_at_its_position(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    row = next(r for r in rows(path) if b"lunch at noon" in r["state"])
    edited = bytes(row["state"]).replace(b"lunch at noon", b"brunch at two")
    tamper(path, "UPDATE stored_events SET state = ? WHERE rowid = ?", (edited, row["rowid"]))
    report = audit(url)
    assert not report.ok
    assert (row["rowid"], "edited") in kinds(report)
    assert next(p for p in report.problems if p.kind == "edited").position == row["rowid"]
    # The edit still decodes, so the views, built before it, now disagree with a replay.
    assert any(p.kind == "projection" and "lunch" in p.message for p in report.problems)


def test_a_deleted_row_is_caught_at_its_position(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    gone = next(r for r in rows(path) if r["topic"].endswith("Touchpoint.Retracted"))
    tamper(path, "DELETE FROM stored_events WHERE rowid = ?", (gone["rowid"],))
    report = audit(url)
    assert not report.ok
    deleted = [p for p in report.problems if p.kind == "deleted"]
    assert [p.position for p in deleted] == [gone["rowid"]]
    assert uuid.UUID(gone["originator_id"]).hex in deleted[0].message


def test_an_inserted_row_is_caught_at_its_position(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    source = next(r for r in rows(path) if r["topic"].endswith("Touchpoint.Recorded"))
    tamper(
        path,
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
        "VALUES (?, 1, ?, ?)",
        (uuid.uuid4().hex, source["topic"], source["state"]),
    )
    inserted_at = rows(path)[-1]["rowid"]
    report = audit(url)
    assert not report.ok
    assert kinds(report)[0] == (inserted_at, "inserted")


def test_a_row_replaced_in_place_is_caught(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    gone = rows(path)[3]
    tamper(path, "DELETE FROM stored_events WHERE rowid = ?", (gone["rowid"],))
    tamper(
        path,
        "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?, ?)",
        (gone["rowid"], gone["originator_id"], 1, gone["topic"], gone["state"] + b" "),
    )
    assert (gone["rowid"], "edited") in kinds(audit(url))


def test_an_edited_chain_is_caught_unless_rewritten_whole(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    noted = audit(url).head
    tamper(path, "UPDATE ledger_chain SET hash = ? WHERE notification_id = 2", ("00" * 32,))
    report = audit(url)
    # Entry 2 no longer matches its event, and entry 3 no longer follows entry 2.
    assert [k for k in kinds(report) if k[1] == "edited"] == [(2, "edited"), (3, "edited")]
    # An edit with the whole chain rewritten to match is only caught against a noted
    # head (and here by the views, which were built before the edit).
    row = next(r for r in rows(path) if b"lunch at noon" in r["state"])
    edited = bytes(row["state"]).replace(b"lunch at noon", b"brunch at two")
    tamper(path, "UPDATE stored_events SET state = ? WHERE rowid = ?", (edited, row["rowid"]))
    tamper(path, "DELETE FROM ledger_chain")
    with ledger.open(url) as book:
        events = rows(path)
        with book.application.recorder.datastore.transaction(commit=True) as c:
            book._chain.append(c, [r["rowid"] for r in events], [_stored(r) for r in events])
        rewritten = book.audit()
        assert {p.kind for p in rewritten.problems} == {"projection"}
        assert (None, "head") in kinds(book.audit(expect_head=noted))


def test_writing_after_the_last_row_was_deleted_is_refused(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    last = rows(path)[-1]["rowid"]
    tamper(path, "DELETE FROM stored_events WHERE rowid = ?", (last,))
    with ledger.open(url) as book:
        # SQLite would hand the deleted row's id to the next event: the chain knows it.
        with pytest.raises(ledger.LogTamperedError, match="run `ledger audit`"):
            book.add_person("eve")
        assert kinds(book.audit())[0] == (last, "deleted")
        assert "eve" not in book.people()


def test_an_undecodable_row_is_reported_not_raised(closed_file: tuple[str, Path]) -> None:
    url, path = closed_file
    tamper(
        path,
        "UPDATE stored_events SET topic = 'ledger.facts.events:Gone', originator_id = 'not-a-uuid' "
        "WHERE rowid = 2",
    )
    report = audit(url)
    assert (2, "undecodable") in kinds(report) and (2, "edited") in kinds(report)
    assert report.counts["ledger.facts.events:Gone v1"] == 1


def _stored(row: sqlite3.Row) -> Any:
    from eventsourcing.persistence import StoredEvent

    return StoredEvent(
        uuid.UUID(row["originator_id"]), row["originator_version"], row["topic"], row["state"]
    )


@pytest.mark.postgres
def test_postgres_deleted_and_inserted_rows_are_caught(postgres_url: str) -> None:
    import psycopg

    with ledger.open(postgres_url) as book:
        populate(book)
    dsn, _, query = postgres_url.partition("?schema=")
    table = f'"{query}"."ledger_events"'
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {table} WHERE notification_id = 2")
        conn.execute(
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            f"SELECT %s, 1, topic, state FROM {table} WHERE notification_id = 4",
            (uuid.uuid4(),),
        )
    report = audit(postgres_url)
    # Deleting ada v2 also leaves a gap in her versions, seen at v3.
    assert kinds(report) == [(2, "deleted"), (9, "version"), (10, "inserted")]


# -- the command ---------------------------------------------------------------------------
def run_cli(*args: str) -> Any:
    from click.testing import CliRunner

    from ledger.cli.main import main

    return CliRunner().invoke(main, list(args))


def test_the_command_prints_counts_and_head_and_exits_0_when_ok(
    closed_file: tuple[str, Path],
) -> None:
    url, _ = closed_file
    result = run_cli("--db", url, "audit")
    assert result.exit_code == 0, result.output
    head = audit(url).head
    assert head in result.output and "Touchpoint.Recorded" in result.output
    document = orjson.loads(run_cli("--db", url, "audit", "--format", "json").stdout)
    assert document["ok"] is True and document["head"] == head
    assert document["counts"]["ledger.facts.events:Touchpoint.Recorded v1"] == 3
    assert run_cli("--db", url, "audit", "--expect-head", head).exit_code == 0


@pytest.mark.parametrize("how", ["edit", "delete", "insert"])
def test_the_command_exits_1_naming_the_position(closed_file: tuple[str, Path], how: str) -> None:
    url, path = closed_file
    row = rows(path)[4]
    if how == "edit":
        edited = bytes(row["state"]).replace(b"Z", b"z") + b" "
        tamper(path, "UPDATE stored_events SET state = ? WHERE rowid = ?", (edited, row["rowid"]))
    elif how == "delete":
        tamper(path, "DELETE FROM stored_events WHERE rowid = ?", (row["rowid"],))
    else:
        tamper(
            path,
            "INSERT INTO stored_events VALUES (?, 1, ?, ?)",
            (uuid.uuid4().hex, row["topic"], row["state"]),
        )
    position = row["rowid"] if how != "insert" else rows(path)[-1]["rowid"]
    result = run_cli("--db", url, "audit")
    assert result.exit_code == 1
    kind = {"edit": "edited", "delete": "deleted", "insert": "inserted"}[how]
    assert "error: audit found" in result.stderr
    assert f"at notification {position}: {kind}:" in result.stderr
    document = orjson.loads(run_cli("--db", url, "audit", "--format", "json").stdout)
    assert document["ok"] is False
    assert {"position": position, "kind": kind} == {
        k: document["problems"][0][k] for k in ("position", "kind")
    }


def test_a_malformed_expected_head_is_a_usage_error(closed_file: tuple[str, Path]) -> None:
    url, _ = closed_file
    result = run_cli("--db", url, "audit", "--expect-head", "not-a-hash")
    assert result.exit_code == 2 and "64 hex digits" in result.stderr
    result = run_cli("--db", url, "audit", "--expect-head", "0" * 64)
    assert result.exit_code == 1 and ": head:" in result.stderr
