"""Proximity logs (SocioPatterns): meetings, relative times, classes, overlapping pieces."""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

import ledger
from ledger.sources import ImportFileError, _write, import_meetings

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
START = "2024-01-01"  # proximity.dat counts seconds from its recording's start


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[ledger.Touch]:
    """The touchpoints importers hand to the one write path."""
    seen: list[ledger.Touch] = []
    real = _write.write

    def spy(book: ledger.Ledger, touches: Any, **rest: Any) -> _write.Written:
        listed = list(touches)
        seen.extend(listed)
        return real(book, listed, **rest)

    monkeypatch.setattr(_write, "write", spy)
    return seen


def test_windows_merge_into_symmetric_meetings_with_durations(
    memory_book: ledger.Ledger, recorded: list[ledger.Touch]
) -> None:
    summary = import_meetings(
        memory_book,
        FIXTURES / "proximity.dat",
        metadata=FIXTURES / "departments.txt",
        start=START,
    )
    assert (summary.rows_read, summary.added, summary.merged) == (5, 3, 2) and summary.balanced
    assert summary.source == "sociopatterns"
    meetings = memory_book.timeline("1", "2")
    assert [m.duration_seconds for m in meetings] == [60, 20]
    assert meetings[0].occurred_at.isoformat() == "2024-01-01T00:01:20+00:00"
    assert all(t.symmetric and t.initiator < t.counterparts[0] for t in recorded)
    assert memory_book.person("1", as_of="2024-01-02T00:00:00+00:00").get("org") == "SALES"
    again = import_meetings(
        memory_book,
        FIXTURES / "proximity.dat",
        metadata=FIXTURES / "departments.txt",
        start=START,
    )
    assert (again.added, again.ignored, again.merged, again.attributes_updated) == (0, 5, 0, 0)


def test_a_longer_gap_merges_more(memory_book: ledger.Ledger) -> None:
    summary = import_meetings(memory_book, FIXTURES / "proximity.dat", gap=60, start=START)
    assert (summary.added, summary.merged) == (2, 3)


def test_relative_times_need_start_and_unix_times_refuse_it(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    with pytest.raises(ImportFileError, match=r"proximity\.dat:1: .*give --start DATE"):
        import_meetings(memory_book, FIXTURES / "proximity.dat")
    unix = tmp_path / "unix.dat"
    unix.write_text("1385982020 1 2\n")
    with pytest.raises(ImportFileError, match=r"unix\.dat:1: time 1385982020 is a Unix time"):
        import_meetings(memory_book, unix, start=START)
    assert memory_book.people() == []
    assert import_meetings(memory_book, unix).added == 1


def test_five_columns_comments_and_classes(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "school.csv"
    path.write_text(
        "# t i j Ci Cj\n1385982020 1 2 MP PC\n1385982040 1 2 MP PC\n\n1385982060 3 1 PC* MP\n"
    )
    summary = import_meetings(memory_book, path)
    assert (summary.rows_read, summary.added, summary.merged) == (3, 2, 1)
    classes = {key: memory_book.person(key).get("org") for key in ("1", "2", "3")}
    assert classes == {"1": "MP", "2": "PC", "3": "PC*"}
    path.write_text("1385982020 1 2 MP PC\n1385982040 2 1 MP PC\n")  # 2 is PC, then MP
    with pytest.raises(ImportFileError, match=r"school\.csv:2: person '2' is in class 'MP' here"):
        import_meetings(memory_book, path)


def test_metadata_with_more_columns_and_a_contradiction(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    log = tmp_path / "log.csv"
    log.write_text("1385982020 1 2 MP PC\n")
    metadata = tmp_path / "meta.txt"
    metadata.write_text("1\tMP\tF\n2\t2BIO1\tM\n3\tPSI*\tUnknown\n")  # HS2013's layout
    summary = import_meetings(memory_book, log, metadata=metadata)
    assert memory_book.person("2").get("org") == "PC"  # the log's class is kept
    assert summary.left_out_by_reason == {
        "metadata group that contradicts the log's class (log kept)": 1
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("\u00b30540 1 2", "time '\u00b30540' has non-ASCII characters"),
        ("\u0662\u0663\u0660 1 2", "non-ASCII"),
        ("1" * 3_000_000 + " 1 2", "is 3,000,000 characters long"),
        ("1385982020 1 1", "self-contact"),
        ("1385982020 1 2 3 4 5 6", "expected 't i j', got 7 fields"),
        ("1385982020 \x1b[2J 2", "U+001B"),
    ],
)
def test_bad_lines_name_file_and_line(
    memory_book: ledger.Ledger, tmp_path: Path, line: str, reason: str
) -> None:
    path = tmp_path / "log.dat"
    path.write_text(f"1385982000 1 2\n{line}\n1385982040 1 2\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_meetings(memory_book, path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: ") and reason in message
    assert "\n" not in message and "\x1b" not in message and len(message) < 400
    summary = import_meetings(memory_book, path, skip_invalid=True)
    assert (summary.rows_read, summary.skipped) == (3, 1) and summary.balanced


def test_a_log_cut_mid_line(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "log.dat"
    path.write_text("1385982000 1 2 MP PC\n1385982020 1 2 MP PC\n1385982040 1 2 M")
    with pytest.raises(ImportFileError, match=r"log\.dat:3: the file ends in the middle"):
        import_meetings(memory_book, path)
    summary = import_meetings(memory_book, path, skip_invalid=True)
    assert (summary.added, summary.merged, summary.skipped) == (1, 1, 1)


# -- real data -------------------------------------------------------------------------------
def _windows(lines: Sequence[str]) -> dict[tuple[str, str], set[int]]:
    """Per pair, the distinct window ends: computed from the raw lines, not by ledger."""
    pairs: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for line in lines:
        t, i, j = line.split()[:3]
        pairs[(min(i, j), max(i, j))].add(int(t))
    return pairs


def _runs(pairs: dict[tuple[str, str], set[int]]) -> int:
    """Meetings with the default gap: runs of windows 20 s apart."""
    count = 0
    for ends in pairs.values():
        ordered = sorted(ends)
        count += 1 + sum(1 for a, b in pairwise(ordered) if b - a > 20)
    return count


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt") as text:
        return [line for line in text if line.strip() and not line.startswith("#")]


def _total_seconds(book: ledger.Ledger) -> int:
    seen: dict[str, int] = {}
    for person in book.people():
        for touch in book.timeline(person):
            seen[touch.touchpoint_id] = touch.duration_seconds or 0
    return sum(seen.values())


REAL_LOGS = {  # name: the day its relative times count from
    "workplace_InVS15_tij.dat.gz": "2015-06-22",
    "SFHH_tij.dat.gz": "2009-06-04",
}


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL_LOGS))
def test_real_relative_logs(shared_data: Path, memory_book: ledger.Ledger, name: str) -> None:
    path = shared_data / "sociopatterns" / name
    lines = _lines(path)
    pairs = _windows(lines)
    summary = import_meetings(memory_book, path, start=REAL_LOGS[name])
    assert summary.balanced and summary.rows_read == len(lines) and summary.skipped == 0
    assert summary.added == _runs(pairs)
    first = min(int(line.split()[0]) for line in lines)
    earliest = min(
        t.occurred_at for p in memory_book.people()[:20] for t in memory_book.timeline(p)
    )
    assert earliest.year == int(REAL_LOGS[name][:4]) and first > 0
    assert import_meetings(memory_book, path, start=REAL_LOGS[name]).added == 0


@pytest.mark.realdata
def test_highschool_five_columns_with_classes(
    shared_data: Path, memory_book: ledger.Ledger
) -> None:
    folder = shared_data / "sociopatterns"
    lines = _lines(folder / "highschool2013_contacts.csv.gz")
    classes = {}
    for line in lines:
        _, i, j, ci, cj = line.split()
        classes[i], classes[j] = ci, cj
    with gzip.open(folder / "highschool2013_metadata.txt.gz", "rt") as text:
        metadata = dict(line.split()[:2] for line in text if line.strip())
    contradicted = sum(1 for p, c in classes.items() if p in metadata and metadata[p] != c)
    summary = import_meetings(
        memory_book,
        folder / "highschool2013_contacts.csv.gz",
        metadata=folder / "highschool2013_metadata.txt.gz",
    )
    assert summary.rows_read == len(lines) == 188_508 and summary.balanced
    assert summary.added == _runs(_windows(lines))
    assert summary.people_added == len(classes) == 327
    assert summary.attributes_updated == len(classes)
    assert summary.left_out_by_reason == {
        "metadata group that contradicts the log's class (log kept)": contradicted
    }
    someone = sorted(classes)[0]
    assert memory_book.person(someone).get("org") == classes[someone]


def _pieces(lines: Sequence[str], cuts: Sequence[tuple[int, int]], folder: Path) -> Iterator[Path]:
    for number, (start, end) in enumerate(cuts):
        path = folder / f"piece{number}.txt"
        path.write_text("".join(lines[start:end]))
        yield path


@pytest.mark.realdata
def test_overlapping_pieces_of_a_real_log_never_count_an_encounter_twice(
    shared_data: Path, tmp_path: Path
) -> None:
    lines = _lines(shared_data / "sociopatterns" / "highschool2013_contacts.csv.gz")[:60_000]
    whole = _windows(lines)
    # cut mid-day, where meetings run across the cuts; the pieces overlap by 10k lines
    cuts = [(0, 25_000), (15_000, 45_000), (35_000, 60_000)]
    with ledger.open(f"memory://{tmp_path.name}") as book:
        for piece in _pieces(lines, cuts, tmp_path):
            summary = import_meetings(book, piece)
            assert summary.balanced
        assert _total_seconds(book) == 20 * sum(len(ends) for ends in whole.values())
        again = import_meetings(book, _pieces(lines, [(0, 60_000)], tmp_path).__next__())
        assert (again.added, again.ignored) == (0, len(lines))
