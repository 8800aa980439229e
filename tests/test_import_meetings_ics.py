"""Meetings (SocioPatterns) and calendar (ics) importers; the import CLI."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import ledger
from ledger.cli.main import main
from ledger.sources import ImportFileError, import_ics, import_meetings

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def test_windows_merge_into_meetings_with_durations(memory_book: ledger.Ledger) -> None:
    summary = import_meetings(
        memory_book, FIXTURES / "proximity.dat", metadata=FIXTURES / "departments.txt"
    )
    assert (summary.rows_read, summary.added, summary.merged) == (5, 3, 2) and summary.balanced
    meetings = memory_book.timeline("1", "2")
    assert [m.duration_seconds for m in meetings] == [60, 20]
    assert meetings[0].occurred_at.isoformat() == "1970-01-01T00:01:20+00:00"
    assert memory_book.person("1", as_of="1970-01-02T00:00:00+00:00").get("org") == "SALES"
    again = import_meetings(
        memory_book, FIXTURES / "proximity.dat", metadata=FIXTURES / "departments.txt"
    )
    assert (again.added, again.ignored, again.attributes_updated) == (0, 3, 0)


def test_a_longer_gap_merges_more(memory_book: ledger.Ledger) -> None:
    summary = import_meetings(memory_book, FIXTURES / "proximity.dat", gap=60)
    assert (summary.added, summary.merged) == (2, 3)


def test_calendar_occurrences_become_meetings_and_video_calls(memory_book: ledger.Ledger) -> None:
    summary = import_ics(
        memory_book, FIXTURES / "calendar.ics", me="Me@example.org", until="2024-02-01T00:00:00Z"
    )
    assert (summary.rows_read, summary.added) == (5, 4) and summary.balanced
    assert summary.skipped_by_reason == {"no attendee besides the owner": 1}
    standups = memory_book.timeline("me@example.org", "bob@example.org")
    assert [t.kind for t in standups] == ["meeting"] * 3
    assert standups[0].duration_seconds == 900
    assert memory_book.person("bob@example.org").name == "Bob Builder"
    call = memory_book.timeline("me@example.org", "cy@example.org")[0]
    assert call.kind == "video_call" and call.counterparts == ("cy@example.org",)
    again = import_ics(
        memory_book, FIXTURES / "calendar.ics", me="me@example.org", until="2024-02-01T00:00:00Z"
    )
    assert (again.added, again.ignored, again.people_added) == (0, 4, 0)


def test_damaged_calendar_is_an_error_with_a_line(memory_book: ledger.Ledger) -> None:
    with pytest.raises(ImportFileError, match=r"damaged\.ics:\d+: "):
        import_ics(memory_book, FIXTURES / "damaged.ics", me="me@example.org")
    assert memory_book.people() == []


def test_cli_imports_prints_json_and_reports_errors_on_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(
        main, ["--db", db, "import", "edges", str(FIXTURES / "tiny.snap.txt"), "--output", "json"]
    )
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)["added"] == 4
    bad = runner.invoke(main, ["--db", db, "import", "edges", str(FIXTURES / "bad_time.snap.txt")])
    assert bad.exit_code == 1
    assert "bad_time.snap.txt:2: bad timestamp" in bad.output
    assert "Traceback" not in bad.output


# -- real data -------------------------------------------------------------------------------
@pytest.mark.realdata
@pytest.mark.parametrize("name", ["workplace_InVS15_tij.dat.gz", "SFHH_tij.dat.gz"])
def test_real_proximity_logs(shared_data: Path, memory_book: ledger.Ledger, name: str) -> None:
    path = shared_data / "sociopatterns" / name
    summary = import_meetings(memory_book, path)
    assert summary.balanced and summary.added > 0 and summary.skipped == 0
    assert import_meetings(memory_book, path).added == 0


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "me"), [("google_export_issue42.ics", "gabi@gmail.com"), ("machbar_2019.ics", "x@y.z")]
)
def test_real_calendars(shared_data: Path, memory_book: ledger.Ledger, name: str, me: str) -> None:
    path = shared_data / "calendar" / name
    until = "2025-01-01T00:00:00Z"
    summary = import_ics(memory_book, path, me=me, until=until)
    assert summary.balanced and summary.rows_read > 0
    assert import_ics(memory_book, path, me=me, until=until).added == 0
