"""Every import is all or nothing: a refused file leaves the ledger byte-identical, and
the attributes and owner of an import are never written when its touchpoints fail.

Every importer writes through ``ledger.sources._write.write``, in one unit of work
(``Ledger.batch``): people, touchpoints, attributes and the owner together.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ledger
from ledger.sources import (
    ImportFileError,
    _write,
    import_edges,
    import_ics,
    import_linkedin,
    import_meetings,
)

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
REAL = Path(__file__).parent / "fixtures" / "real"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A SQLite ledger with some history, caught up and closed: (url, file)."""
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    with ledger.open(url) as book:
        import_edges(book, FIXTURES / "tiny.snap.txt")
        import_meetings(book, FIXTURES / "proximity.dat", start="2024-01-01")
        book.catch_up()
    yield url, path


def _bad_edges(folder: Path) -> Path:
    path = folder / "late.txt"
    good = "".join(f"{n} {n + 1} {1_700_000_000 + n}\n" for n in range(60_000))
    path.write_text(good + "1 2 nope\n")  # past the first write chunk: rolled back
    return path


def _bad_meetings(folder: Path) -> Path:
    path = folder / "log.dat"
    path.write_text("1700000000 1 2\n1700000020 1 2 3\n")
    return path


def _bad_ics(folder: Path) -> Path:
    path = folder / "cal.ics"
    text = (FIXTURES / "calendar.ics").read_text()
    path.write_text(text.replace("DTSTART:", "DTSTART:2024\u0660", 1))
    return path


def _bad_linkedin(folder: Path) -> Path:
    export = folder / "export"
    shutil.copytree(REAL / "linkedin" / "nikhil_2022", export)
    messages = export / "messages.csv"
    lines = messages.read_text().splitlines(keepends=True)
    lines[150] = lines[150].replace(" UTC", " XYZ", 1)  # the last file read, late in it
    messages.write_text("".join(lines))
    return export


def _ics(book: ledger.Ledger, path: Path) -> object:
    return import_ics(book, path, me="me@example.org")


IMPORTS: dict[str, tuple[Callable[[Path], Path], Callable[[ledger.Ledger, Path], object]]] = {
    "edges": (_bad_edges, import_edges),
    "meetings": (_bad_meetings, import_meetings),
    "ics": (_bad_ics, _ics),
    "linkedin": (_bad_linkedin, import_linkedin),
}


@pytest.mark.parametrize("importer", sorted(IMPORTS))
def test_a_refused_file_leaves_the_ledger_byte_identical(
    filled: tuple[str, Path], tmp_path: Path, importer: str
) -> None:
    url, path = filled
    make, run = IMPORTS[importer]
    bad = make(tmp_path)
    before = _digest(path)
    with ledger.open(url) as book, pytest.raises(ImportFileError) as caught:
        run(book, bad)
    assert "\n" not in str(caught.value) and ":" in str(caught.value)
    assert _digest(path) == before


def _failing(touches: list[ledger.Touch]) -> Iterator[ledger.Touch]:
    yield from touches
    raise ImportFileError("file.csv", 3, "bad row")


TOUCH = ledger.Touch(
    "message", "ann", ("bob",), "2024-01-01T09:00:00+00:00", source="t", source_ref="1"
)


def test_attributes_and_owner_are_not_written_when_the_touches_fail(
    filled: tuple[str, Path],
) -> None:
    url, path = filled
    before = _digest(path)
    with ledger.open(url) as book, pytest.raises(ImportFileError):
        _write.write(
            book,
            _failing([TOUCH]),
            changes=[_write.Change("1", datetime(2024, 1, 2, tzinfo=UTC), {"org": "Acme"})],
            owner="1",
        )
    with ledger.open(url) as book:
        assert book.owner is None
        assert book.person("1", as_of="2024-02-01T00:00:00+00:00").get("org") is None
        assert "ann" not in book.people()
    assert _digest(path) == before


def test_people_are_not_registered_when_the_touches_fail(filled: tuple[str, Path]) -> None:
    url, path = filled
    before = _digest(path)
    with ledger.open(url) as book, pytest.raises(ImportFileError):
        _write.write(book, _failing([TOUCH]), people=[_write.Person("cy", "Cy Young")])
    assert _digest(path) == before


def test_touches_are_not_written_when_an_attribute_change_fails(
    filled: tuple[str, Path],
) -> None:
    url, path = filled
    before = _digest(path)
    bad = _write.Change("ann", datetime.max.replace(tzinfo=UTC), {"org": "Acme"})  # year 9999
    with ledger.open(url) as book, pytest.raises(ledger.InvalidInputError):
        _write.write(book, [TOUCH], changes=[bad])
    assert _digest(path) == before


def test_a_good_import_writes_everything_it_reports(memory_book: ledger.Ledger) -> None:
    written = _write.write(
        memory_book,
        [TOUCH],
        people=[_write.Person("ann", "Ann Lee")],
        changes=[_write.Change("bob", datetime(2024, 1, 2, tzinfo=UTC), {"org": "Acme"})],
        owner="ann",
    )
    assert (written.added, written.people_added, written.attributes_added) == (1, 2, 1)
    assert written.owner_set and memory_book.owner == "ann"
    assert memory_book.person("ann").name == "Ann Lee"
    again = _write.write(
        memory_book,
        [TOUCH],
        people=[_write.Person("ann", "Ann Lee")],
        changes=[_write.Change("bob", datetime(2024, 1, 2, tzinfo=UTC), {"org": "Acme"})],
        owner="ann",
    )
    assert (again.added, again.ignored, again.people_added, again.attributes_added) == (0, 1, 0, 0)
    assert again.attributes_ignored == 1 and not again.owner_set
