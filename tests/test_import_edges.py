"""Edge-list importer: SNAP and CSV, identity, damaged and hostile files, real logs."""

from __future__ import annotations

import csv
import gzip
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pytest

import ledger
from ledger.sources import CsvLayout, ImportFileError, import_edges

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def _events(book: ledger.Ledger) -> int:
    return book.log_position


def test_snap_lines_become_touchpoints_and_identical_lines_stay_two(
    memory_book: ledger.Ledger,
) -> None:
    summary = import_edges(memory_book, FIXTURES / "tiny.snap.txt.gz", kind="email")
    assert (summary.rows_read, summary.added, summary.ignored, summary.people_added) == (4, 4, 0, 3)
    assert summary.source.startswith("snap:") and summary.balanced
    # Two identical lines are two touchpoints (their references differ by occurrence).
    touches = memory_book.timeline("1", "2")
    assert sorted((t.initiator, int(t.occurred_at.timestamp())) for t in touches) == [
        ("1", 1700000000),
        ("1", 1700000000),
        ("2", 1700000060),
    ]
    assert len({t.touchpoint_id for t in touches}) == 3
    assert {t.kind for t in memory_book.timeline("1")} == {"email"}


def test_reimport_adds_nothing_and_newer_export_adds_only_new(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    import_edges(memory_book, FIXTURES / "tiny.snap.txt")
    again = import_edges(memory_book, FIXTURES / "tiny.snap.txt")
    assert (again.added, again.ignored, again.people_added) == (0, 4, 0)
    # a log of more than 8 records (the source's digest) grows: only the new ones count
    log = tmp_path / "log.txt"
    lines = [f"{n} {n + 1} {1_700_000_000 + 60 * n}\n" for n in range(10)]
    log.write_text("".join(lines))
    first = import_edges(memory_book, log)
    log.write_text("".join([*lines, "1 2 1700000000\n", "4 1 1700000300\n"]))
    grown = import_edges(memory_book, log)
    assert (grown.rows_read, grown.added, grown.ignored, grown.people_added) == (12, 2, 10, 0)
    assert grown.source == first.source


def test_a_renamed_or_recompressed_copy_is_the_same_source(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    first = import_edges(memory_book, FIXTURES / "tiny.snap.txt")
    renamed = tmp_path / "college-messages-final-v2.log"
    shutil.copy(FIXTURES / "tiny.snap.txt", renamed)
    for copy in (renamed, FIXTURES / "tiny.snap.txt.gz"):
        again = import_edges(memory_book, copy)
        assert (again.source, again.added, again.ignored) == (first.source, 0, 4)


def test_an_explicit_source_is_kept(memory_book: ledger.Ledger) -> None:
    summary = import_edges(memory_book, FIXTURES / "tiny.snap.txt", source="college")
    assert summary.source == "college"
    assert {t.source for t in memory_book.timeline("1")} == {"college"}


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        ("bad_fields.snap.txt", 2, "expected 'SRC DST UNIXTS', got 2 fields"),
        ("bad_time.snap.txt", 2, "bad timestamp 'yesterday'"),
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


def test_a_log_cut_mid_line_is_refused_or_counted(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    whole = "1 2 1700000000\n2 1 1700000060\n3 1 1700000120\n"
    path = tmp_path / "cut.txt"
    path.write_text(whole + "5 2 10")  # a partial download: "5 2 1700000180" cut short
    with pytest.raises(ImportFileError, match=r"cut\.txt:4: the file ends in the middle"):
        import_edges(memory_book, path)
    assert memory_book.people() == []
    summary = import_edges(memory_book, path, skip_invalid=True)
    assert (summary.rows_read, summary.added, summary.skipped) == (4, 3, 1)
    for tail in ("5 2", "5 2 1700000180"):  # fewer fields; a whole last line
        path.write_text(whole + tail)
        found = import_edges(memory_book, path, skip_invalid=True)
        assert found.skipped == (1 if tail == "5 2" else 0)
    path.write_text(whole + "5 2 10\n")  # with its newline it is what the file says
    assert import_edges(memory_book, path).added == 1


@pytest.mark.parametrize(
    ("stamp", "shown"),
    [
        ("\u00b30540", "'\u00b30540'"),  # a superscript three: str.isdigit() says yes
        ("\u0662\u0663\u0660", "'\u0662\u0663\u0660'"),  # Arabic-Indic 230: int() reads it
        ("1" * 3_000_000, "'" + "1" * 100 + "…'"),  # past int()'s 4300-digit limit
        ("99999999999", "'99999999999'"),  # the year 5138
    ],
)
def test_times_are_ascii_numbers_and_errors_quote_a_little(
    memory_book: ledger.Ledger, tmp_path: Path, stamp: str, shown: str
) -> None:
    path = tmp_path / "log.txt"
    path.write_text(f"1 2 1700000000\n1 2 {stamp}\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        import_edges(memory_book, path)
    message = str(caught.value)
    assert time.perf_counter() - started < 2
    assert message.startswith(f"{path}:2: ") and "\n" not in message
    assert shown in message or "99999999999" in message
    assert len(message) < 300
    assert memory_book.people() == []


def test_control_characters_in_ids_are_refused_with_the_line(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    path = tmp_path / "log.txt"
    path.write_text("1 2 1700000000\n\x1b[2J\x1b[H 2 1700000060\n")
    with pytest.raises(ImportFileError, match=r"log\.txt:2: initiator: .*U\+001B") as caught:
        import_edges(memory_book, path)
    assert "\x1b" not in str(caught.value)
    summary = import_edges(memory_book, path, skip_invalid=True)
    assert (summary.added, summary.skipped) == (1, 1)


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
    assert summary.source.startswith("csv:")
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


def test_address_lists_never_make_fake_people(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "mail.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["from", "to", "cc", "date"])
        writer.writerow(
            [
                '"Ann Lee" <Ann@Example.org>',
                "bob@example.org",
                '"Doe, Jane" <jane@example.org>; "Ng, Bo (Sales)" <bo@example.org>',
                "2024-03-01T09:00:00Z",
            ]
        )
        writer.writerow(
            [
                "bob@example.org",
                "undisclosed-recipients:;, ann@example.org",
                "",
                "2024-03-02T09:00:00Z",
            ]
        )
    layout = CsvLayout(src_col="from", to_cols=("to", "cc"), time_col="date", time_format="iso")
    summary = import_edges(memory_book, path, format="csv", layout=layout, kind="email")
    assert summary.added == 2
    assert sorted(memory_book.people()) == [
        "ann@example.org",
        "bo@example.org",
        "bob@example.org",
        "jane@example.org",
    ]
    first = memory_book.timeline("ann@example.org", "jane@example.org")[0]
    assert first.counterparts == ("bob@example.org", "jane@example.org", "bo@example.org")
    # A reference is not stored (only the fact id derived from it): no address leaks.


def test_a_cell_that_is_not_an_address_list_is_a_bad_row(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    path = tmp_path / "mail.csv"
    path.write_text("from,to,date\na@x.org,not an address; b@y.org,2024-03-01T09:00:00Z\n")
    layout = CsvLayout(src_col="from", to_cols=("to",), time_col="date", time_format="iso")
    with pytest.raises(ImportFileError, match=r"mail\.csv:2: recipient 'not an address' is not"):
        import_edges(memory_book, path, format="csv", layout=layout)


def test_csv_unknown_column_is_a_header_error(memory_book: ledger.Ledger) -> None:
    with pytest.raises(ImportFileError, match=r"messages_multi\.csv:1: no sender column 'src'"):
        import_edges(memory_book, FIXTURES / "messages_multi.csv", format="csv")


def test_a_csv_cut_mid_line_is_refused(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text("src,dst,time\na,b,1700000000\nb,c,1700000060\nc,")
    with pytest.raises(ImportFileError, match=r"cut\.csv:4: the file ends in the middle"):
        import_edges(memory_book, path, format="csv")


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


def _data_lines(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt") as lines:
        return [line.split() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.realdata
def test_collegemsg_imports_whole_with_duplicates_as_touchpoints(
    shared_data: Path, sqlite_url: str
) -> None:
    path = shared_data / "snap" / "CollegeMsg.txt.gz"
    rows = _data_lines(path)
    people = {field for row in rows for field in row[:2]}
    with ledger.open(sqlite_url) as book:
        summary = import_edges(book, path)
        assert (summary.rows_read, summary.added) == (len(rows), len(rows))
        assert summary.people_added == len(people) and summary.balanced
        again = import_edges(book, path)
        assert (again.added, again.ignored) == (0, len(rows))


@pytest.mark.realdata
def test_a_renamed_real_log_is_not_imported_twice(shared_data: Path, tmp_path: Path) -> None:
    path = _prefix(shared_data / "snap" / "CollegeMsg.txt.gz", tmp_path / "a.txt.gz", 3_000)
    renamed = tmp_path / "messages-2004.gz"
    shutil.copy(path, renamed)
    with ledger.open(f"memory://{tmp_path.name}") as book:
        first = import_edges(book, path)
        again = import_edges(book, renamed)
        assert (first.added, again.added, again.ignored) == (3_000, 0, 3_000)


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
    rows = _data_lines(path)
    loops = sum(1 for row in rows if row[0] == row[1])
    with ledger.open(f"memory://{tmp_path.name}") as book:
        summary = import_edges(book, path, kind="email", skip_invalid=True)
        assert summary.rows_read == len(rows) == 12_000 and summary.balanced
        assert (summary.added, summary.skipped) == (len(rows) - loops, loops)
        assert import_edges(book, path, kind="email", skip_invalid=True).added == 0


@pytest.mark.realdata
def test_mathoverflow_self_loops_abort_or_are_counted(shared_data: Path, tmp_path: Path) -> None:
    path = _prefix(shared_data / "snap" / "sx-mathoverflow.txt.gz", tmp_path / "mo.txt.gz", 20_000)
    rows = _data_lines(path)
    first_loop = next(number for number, row in enumerate(rows, 1) if row[0] == row[1])
    loops = sum(1 for row in rows if row[0] == row[1])
    with ledger.open(f"memory://{tmp_path.name}") as book:
        with pytest.raises(ImportFileError, match=rf"mo\.txt\.gz:{first_loop}: self-loop"):
            import_edges(book, path)
        assert book.people() == []
        summary = import_edges(book, path, skip_invalid=True)
        assert summary.skipped_by_reason == {"self-loop: SRC = DST": loops}
        assert summary.added == 20_000 - loops and summary.balanced


@pytest.mark.realdata
def test_enron_messages_with_several_recipients(shared_data: Path, tmp_path: Path) -> None:
    """A real one-to-many log: Enron's messages joined with their recipients in a CSV
    whose recipient cell lists ids separated by ';', as mail exports do."""
    folder = shared_data / "enron"
    recipients: defaultdict[str, list[str]] = defaultdict(list)
    with gzip.open(folder / "recipients.tsv.gz", "rt") as lines:
        for line in lines:
            message, _, person = line.rstrip("\n").split("\t")
            recipients[message].append(person)
    with gzip.open(folder / "messages.tsv.gz", "rt") as lines:
        messages = [line.rstrip("\n").split("\t") for line in lines][:3_000]
    path = tmp_path / "enron.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "sender", "to", "time"])
        for message, _, stamp, _, sender in messages:
            writer.writerow([message, sender, ";".join(recipients[message]), stamp])
    # Computed here from the raw files: a message touches its distinct recipients other
    # than its sender (people copy themselves); with none left it is not a touchpoint.
    others = {m: set(recipients[m]) - {sender} for m, _, _, _, sender in messages}
    widest = max(others, key=lambda m: (len(others[m]), m))
    layout = CsvLayout(src_col="sender", to_cols=("to",), recipients_separator=";")
    with ledger.open(f"memory://{tmp_path.name}") as book:
        summary = import_edges(
            book, path, format="csv", layout=layout, kind="email", skip_invalid=True
        )
        assert summary.rows_read == len(messages) and summary.balanced
        assert summary.added == sum(1 for found in others.values() if found)
        message = next(row for row in messages if row[0] == widest)
        sent = [
            t
            for t in book.timeline(message[4])
            if t.initiator == message[4] and int(t.occurred_at.timestamp()) == int(message[2])
        ]
        assert set(others[widest]) in [set(t.counterparts) for t in sent]


@pytest.mark.realdata
def test_snap_logs_are_parsed_lazily_and_whole(shared_data: Path) -> None:
    """Speed is measured in benchmarks/; here: the parser is a stream (nothing read
    before it is consumed) that yields every line of the real log."""
    from ledger.sources._rows import read_text
    from ledger.sources._summary import Tally
    from ledger.sources.edges import _snap_edges

    path = shared_data / "snap" / "email-Eu-core-temporal.txt.gz"
    tally = Tally(False)
    edges = _snap_edges(path, read_text(path), tally, None)
    assert tally.rows_read == 0
    count = sum(1 for _ in edges)
    assert count == tally.rows_read == len(_data_lines(path))


@pytest.mark.parametrize("name", ["localtime", "right/Europe/Paris", "Europe", "/etc/localtime"])
def test_an_import_zone_must_be_a_portable_iana_name(
    memory_book: ledger.Ledger, tmp_path: Path, name: str
) -> None:
    path = tmp_path / "log.csv"
    path.write_text("src,dst,time\na,b,01/01/2024 10:00\n")
    layout = CsvLayout(time_format="%d/%m/%Y %H:%M")
    with pytest.raises(ledger.InvalidInputError, match="timezone") as caught:
        import_edges(memory_book, path, format="csv", layout=layout, timezone=name)
    assert "\n" not in str(caught.value) and name in str(caught.value)
    assert memory_book.people() == []
