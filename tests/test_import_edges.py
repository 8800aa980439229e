"""Edge-list importer: SNAP and CSV, identity, atomicity, damaged files, real SNAP logs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import ledger
from ledger.sources import CsvLayout, ImportFileError, import_edges

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def _events(book: ledger.Ledger) -> int:
    return book.application.recorder.max_notification_id() or 0


def test_snap_lines_become_touchpoints_and_identical_lines_stay_two(
    memory_book: ledger.Ledger,
) -> None:
    summary = import_edges(memory_book, FIXTURES / "tiny.snap.txt.gz", kind="email")
    assert (summary.rows_read, summary.added, summary.ignored, summary.people_added) == (4, 4, 0, 3)
    assert summary.source == "tiny" and summary.balanced
    refs = sorted(t.source_ref for t in memory_book.timeline("1", "2"))
    assert refs == ["1>2@1700000000#1", "1>2@1700000000#2", "2>1@1700000060#1"]
    assert {t.kind for t in memory_book.timeline("1")} == {"email"}


def test_reimport_adds_nothing_and_newer_export_adds_only_new(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    import_edges(memory_book, FIXTURES / "tiny.snap.txt")
    again = import_edges(memory_book, FIXTURES / "tiny.snap.txt")
    assert (again.added, again.ignored, again.people_added) == (0, 4, 0)
    newer = tmp_path / "tiny.snap.txt"
    newer.write_text((FIXTURES / "tiny.snap.txt").read_text() + "1 2 1700000000\n4 1 1700000300\n")
    grown = import_edges(memory_book, newer)
    assert (grown.rows_read, grown.added, grown.ignored, grown.people_added) == (6, 2, 4, 1)


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        ("bad_fields.snap.txt", 2, "expected 'SRC DST UNIXTS', got 2 fields"),
        ("bad_time.snap.txt", 2, "bad timestamp"),
        ("selfloop.snap.txt", 2, "self-loop"),
        ("truncated.snap.txt.gz", 1, "truncated gzip"),
    ],
)
def test_damaged_file_names_file_and_line_and_writes_nothing(
    memory_book: ledger.Ledger, name: str, line: int, reason: str
) -> None:
    before = _events(memory_book)
    with pytest.raises(ImportFileError) as caught:
        import_edges(memory_book, FIXTURES / name)
    assert str(caught.value).startswith(f"{FIXTURES / name}:{line}: ")
    assert reason in str(caught.value)
    assert isinstance(caught.value, ledger.InvalidInputError)
    assert _events(memory_book) == before


def test_skip_invalid_counts_reasons(memory_book: ledger.Ledger) -> None:
    summary = import_edges(memory_book, FIXTURES / "selfloop.snap.txt", skip_invalid=True)
    assert summary.skipped_by_reason == {"self-loop: SRC = DST": 1}
    assert (summary.rows_read, summary.added, summary.skipped) == (3, 2, 1)


def test_csv_with_bom_crlf_separator_and_iso_times(memory_book: ledger.Ledger) -> None:
    layout = CsvLayout(
        src_col="sender",
        to_cols=("recipients",),
        time_col="sent",
        time_format="iso",
        delimiter=";",
        recipients_separator="|",
    )
    summary = import_edges(
        memory_book, FIXTURES / "messages_bom_crlf.csv", format="csv", layout=layout
    )
    assert (summary.rows_read, summary.added, summary.people_added) == (2, 2, 3)
    first = memory_book.timeline("ann", "cy")[0]
    assert first.counterparts == ("bob", "cy")
    assert first.occurred_at.isoformat() == "2024-03-01T08:00:00+00:00"


def test_csv_quoted_commas_several_to_columns_and_strftime(memory_book: ledger.Ledger) -> None:
    layout = CsvLayout(
        src_col="From", to_cols=("To", "To2"), time_col="When", time_format="%d/%m/%Y %H:%M"
    )
    summary = import_edges(
        memory_book,
        FIXTURES / "messages_multi.csv",
        format="csv",
        layout=layout,
        timezone="Europe/Berlin",
        person_prefix="m:",
    )
    assert summary.added == 2
    touch = memory_book.timeline("m:cy, jr")[0]
    assert touch.counterparts == ("m:ann", "m:bob")
    assert touch.occurred_at.isoformat() == "2024-03-02T09:30:00+00:00"


def test_csv_unknown_column_is_a_header_error(memory_book: ledger.Ledger) -> None:
    with pytest.raises(ImportFileError, match=r"messages_multi\.csv:1: no sender column 'src'"):
        import_edges(memory_book, FIXTURES / "messages_multi.csv", format="csv")


def test_cp1252_file_is_read(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "resaved.csv"
    path.write_bytes("src,dst,time\nRen\xe9e,Zo\xeb,1700000000\n".encode("cp1252"))
    import_edges(memory_book, path, format="csv")
    assert memory_book.people() == ["Renée", "Zoë"]


# -- real data -------------------------------------------------------------------------------
def _prefix(source: Path, target: Path, lines: int) -> Path:
    with gzip.open(source, "rt") as reading, gzip.open(target, "wt") as writing:
        for _, line in zip(range(lines), reading, strict=False):
            writing.write(line)
    return target


@pytest.mark.realdata
def test_collegemsg_imports_whole_with_duplicates_as_touchpoints(
    shared_data: Path, sqlite_url: str
) -> None:
    path = shared_data / "snap" / "CollegeMsg.txt.gz"
    with ledger.open(sqlite_url) as book:
        summary = import_edges(book, path)
        assert (summary.rows_read, summary.added, summary.people_added) == (59835, 59835, 1899)
        assert summary.balanced
        again = import_edges(book, path)
        assert (again.added, again.ignored) == (0, 59835)


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name",
    [
        "email-Eu-core-temporal.txt.gz",
        "email-Eu-core-temporal-Dept1.txt.gz",
        "email-Eu-core-temporal-Dept2.txt.gz",
        "email-Eu-core-temporal-Dept3.txt.gz",
        "email-Eu-core-temporal-Dept4.txt.gz",
    ],
)
def test_email_eu_core_prefix_imports_and_reimports_as_nothing(
    shared_data: Path, tmp_path: Path, name: str
) -> None:
    # The full 332k log is the benchmarks' job; a prefix keeps the suite fast.
    path = _prefix(shared_data / "snap" / name, tmp_path / name, 12_000)
    with ledger.open(f"memory://{tmp_path.name}") as book:
        summary = import_edges(book, path, kind="email")
        assert summary.rows_read == 12_000 and summary.balanced and summary.skipped == 0
        assert import_edges(book, path, kind="email").added == 0


@pytest.mark.realdata
def test_mathoverflow_self_loops_abort_or_are_counted(shared_data: Path, tmp_path: Path) -> None:
    path = _prefix(shared_data / "snap" / "sx-mathoverflow.txt.gz", tmp_path / "mo.txt.gz", 20_000)
    with ledger.open(f"memory://{tmp_path.name}") as book:
        with pytest.raises(ImportFileError, match=r"mo\.txt\.gz:65: self-loop"):
            import_edges(book, path)
        assert book.people() == []
        summary = import_edges(book, path, skip_invalid=True)
        loops = summary.skipped_by_reason["self-loop: SRC = DST"]
        assert loops > 0 and summary.balanced
        assert summary.added == 20_000 - loops


@pytest.mark.realdata
def test_snap_logs_are_parsed_lazily_and_whole(shared_data: Path) -> None:
    """Speed is measured in benchmarks/; here: the parser is a stream (nothing read
    before it is consumed) that yields every line of the real log."""
    from ledger.sources._summary import Tally
    from ledger.sources.edges import _snap_edges

    tally = Tally(False)
    edges = _snap_edges(shared_data / "snap" / "email-Eu-core-temporal.txt.gz", tally, None)
    assert tally.rows_read == 0
    count = sum(1 for _ in edges)
    assert count == tally.rows_read == 332_334
