"""LinkedIn importer: every header era, the owner found in the data, quirks, real exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ledger
from ledger.sources import ImportFileError, import_linkedin

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def _export(name: str, into: Path) -> Path:
    """A LinkedIn export folder laid out under its real file names.

    The fixtures are stored as ``*.fixture`` so that the repository never holds files
    named like a real export's (real exports live in ../shared/data only).
    """
    folder = into / name
    shutil.copytree(FIXTURES / name, folder)
    for stored in folder.glob("*.fixture"):
        stored.rename(stored.with_suffix(""))
    return folder


@pytest.fixture
def export_2024(tmp_path: Path) -> Path:
    return _export("linkedin_2024", tmp_path)


def test_2024_export_maps_every_file(memory_book: ledger.Ledger, export_2024: Path) -> None:
    summary = import_linkedin(memory_book, export_2024)
    assert summary.balanced
    assert summary.rows_read == 3 + 3 + 5 + 1 + 1
    assert summary.skipped_by_reason == {
        "connection with no name (deleted member)": 1,
        "draft message (never sent)": 1,
        "message from an anonymous or deleted member": 1,
    }
    kinds = sorted(t.kind for t in memory_book.timeline("Ann Owner"))
    assert kinds.count("message") == 3 and kinds.count("connection_accepted") == 2
    assert {"connection_requested", "endorsement", "recommendation"} <= set(kinds)


def test_directions_and_personalized_invitations(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    import_linkedin(memory_book, export_2024)
    requests = {
        t.initiator: t
        for t in memory_book.timeline("Ann Owner")
        if t.kind == "connection_requested"
    }
    assert requests["Cal Cole"].personalized and not requests["Ann Owner"].personalized
    accepted = {
        t.initiator for t in memory_book.timeline("Ann Owner") if t.kind == "connection_accepted"
    }
    assert accepted == {"Bea Brown", "Ann Owner"}  # Bea accepted Ann's; Ann accepted Cal's
    lunch = [t for t in memory_book.timeline("Ann Owner", "Bea Brown") if t.note == "Lunch"]
    assert [t.initiator for t in lunch] == ["Ann Owner", "Bea Brown"]
    group = next(t for t in memory_book.timeline("Cal Cole") if t.note == "Team")
    assert group.counterparts == ("Bea Brown", "Cal Cole")


def test_owner_namesake_is_another_person(memory_book: ledger.Ledger, export_2024: Path) -> None:
    import_linkedin(memory_book, export_2024)
    assert "Ann Owner (ann-namesake)" in memory_book.people()


def test_company_and_position_as_of_connected_on(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    summary = import_linkedin(memory_book, export_2024)
    bea = memory_book.person("Bea Brown", as_of="2024-12-16T00:00:00+00:00")
    assert (bea.get("org"), bea.get("title")) == ("Acme, Inc.", "Engineer")
    assert memory_book.person("Bea Brown", as_of="2024-12-15T00:00:00+00:00").get("org") is None
    assert summary.attributes_updated == 3  # Bea, Cal (connection), Cal (recommendation: same)
    again = import_linkedin(memory_book, export_2024)
    assert (again.added, again.attributes_updated) == (0, 0)


def test_damaged_recommendations_copy_is_read(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    # cp1252, CRLF, first column lost and "Creation Date.1": a pandas round-trip
    import_linkedin(memory_book, export_2024)
    recommendation = next(
        t for t in memory_book.timeline("Ann Owner") if t.kind == "recommendation"
    )
    assert recommendation.initiator == "Cole"


def test_2018_export_with_direction_columns(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    summary = import_linkedin(memory_book, _export("linkedin_2018", tmp_path))
    assert (summary.rows_read, summary.added) == (4, 4)
    assert memory_book.person("Dan Diaz", as_of="2018-02-01T00:00:00+00:00").get("org") == "Initech"
    accepted = [t for t in memory_book.timeline("Eve Evans") if t.kind == "connection_accepted"]
    assert accepted[0].initiator == "Dan Diaz"


def test_bad_date_names_file_and_line_and_writes_nothing(
    memory_book: ledger.Ledger, tmp_path: Path, export_2024: Path
) -> None:
    export = tmp_path / "export"
    shutil.copytree(export_2024, export)
    path = export / "Connections.csv"
    path.write_text(path.read_text().replace("01 Mar 2023", "31 Feb 2023"))
    with pytest.raises(ImportFileError, match=r"Connections\.csv:7: Connected On is unreadable"):
        import_linkedin(memory_book, export)
    assert memory_book.people() == []
    summary = import_linkedin(memory_book, export, skip_invalid=True)
    assert summary.skipped_by_reason["Connected On is unreadable ('31 Feb 2023')"] == 1


def test_unquoted_comma_and_missing_owner_are_errors(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Endorsement_Received_Info.csv").write_text(
        "Endorsement Date,Skill Name,Endorser First Name,Endorser Last Name,Endorsement Status\n"
        "2024/12/07 14:51:07 UTC,Python,Cal,Cole,ACCEPTED\n"
    )
    with pytest.raises(ImportFileError, match="cannot tell whose export this is"):
        import_linkedin(memory_book, export)
    (export / "Endorsement_Received_Info.csv").write_text(
        "Endorsement Date,Skill Name,Endorser First Name,Endorser Last Name,Endorsement Status\n"
        "2024/12/07 14:51:07 UTC,Python, Django,Cal,Cole,ACCEPTED\n"
    )
    with pytest.raises(ImportFileError, match=r"Info\.csv:2: expected 5 fields, got 6"):
        import_linkedin(memory_book, export, owner="Ann Owner")


def test_not_an_export_folder(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no LinkedIn export files here"):
        import_linkedin(memory_book, tmp_path)


# -- real data -------------------------------------------------------------------------------
EXPORTS = {
    "Feynman10__Proile": 7526,
    "SStellaMary__LinkedIn-Analysis": 11083,
    "abhishekwebcode__Abhishek-Mathur-Complete_LinkedInDataExport_11-04-2018": 77,
    "mohamedeways__LinkedIn-Profile": 3944,
}


@pytest.mark.realdata
@pytest.mark.parametrize("folder", sorted(EXPORTS))
def test_real_export_imports_balanced_and_reimports_as_nothing(
    shared_data: Path, sqlite_url: str, folder: str
) -> None:
    path = shared_data / "linkedin" / folder
    with ledger.open(sqlite_url) as book:
        summary = import_linkedin(book, path)
        assert summary.rows_read == EXPORTS[folder] and summary.balanced
        assert summary.added > 0.9 * summary.rows_read
        again = import_linkedin(book, path)
        assert (again.added, again.people_added, again.attributes_updated) == (0, 0, 0)
        assert again.ignored == summary.added


@pytest.mark.realdata
def test_damaged_real_export_names_file_and_line(
    shared_data: Path, memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    shutil.copytree(shared_data / "linkedin" / "Feynman10__Proile", export)
    path = export / "messages.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[100] = lines[100].replace(" UTC", " XYZ", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"messages\.csv:101: Date is unreadable"):
        import_linkedin(memory_book, export)
    assert memory_book.people() == []


def test_the_exporting_person_becomes_the_owner(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    assert memory_book.owner is None
    summary = import_linkedin(memory_book, export_2024)
    assert summary.owner == "Ann Owner" == memory_book.owner
    assert summary.as_dict()["owner"] == "Ann Owner"


def test_an_owner_already_set_is_kept(memory_book: ledger.Ledger, export_2024: Path) -> None:
    memory_book.add_person("someone")
    memory_book.set_owner("someone")
    import_linkedin(memory_book, export_2024)
    assert memory_book.owner == "someone"
