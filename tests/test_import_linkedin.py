"""LinkedIn importer: keys by profile URL, the owner, invitations, attributes as of the
export, several accounts, zip or folder; on small hand-made exports."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pytest

import ledger
from ledger.sources import ImportFileError, import_linkedin
from ledger.sources._linkedin_people import profile_key, split_recipients

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
CONNECTIONS = [
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
]
INVITATIONS = [
    "From",
    "To",
    "Sent At",
    "Message",
    "Direction",
    "inviterProfileUrl",
    "inviteeProfileUrl",
]
MESSAGES = [
    "CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
    "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER",
]  # fmt: skip
ANN = "https://www.linkedin.com/in/ann-o"


def _export(name: str, into: Path) -> Path:
    """A fixture export laid out under its real file names.

    The fixtures are stored as ``*.fixture`` so that the repository never holds files
    named like a real export's (real exports live in ../shared/data only).
    """
    folder = into / name
    shutil.copytree(FIXTURES / name, folder)
    for stored in folder.glob("*.fixture"):
        stored.rename(stored.with_suffix(""))
    return folder


def _sheet(folder: Path, name: str, header: list[str], *rows: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def export_2024(tmp_path: Path) -> Path:
    return _export("linkedin_2024", tmp_path)


def _events(book: ledger.Ledger) -> int:
    return book.log_position


def test_2024_export_maps_every_file(memory_book: ledger.Ledger, export_2024: Path) -> None:
    summary = import_linkedin(memory_book, export_2024)
    assert summary.balanced
    assert summary.rows_read == 3 + 3 + 5 + 1 + 1
    assert summary.skipped_by_reason == {
        "connection with no name (deleted member)": 1,
        "draft message (never sent)": 1,
        "message from an anonymous or deleted member": 1,
    }
    kinds = sorted(t.kind for t in memory_book.timeline("linkedin:ann-o"))
    assert kinds.count("message") == 3 and kinds.count("connection_accepted") == 2
    assert {"connection_requested", "endorsement", "recommendation"} <= set(kinds)
    assert memory_book.person("linkedin:bea-b").name == "Bea Brown"


def test_directions_personalized_invitations_and_group_messages(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    import_linkedin(memory_book, export_2024)
    timeline = memory_book.timeline("linkedin:ann-o")
    requests = {t.initiator: t for t in timeline if t.kind == "connection_requested"}
    assert requests["linkedin:cal-c"].personalized
    assert not requests["linkedin:ann-o"].personalized
    accepted = {t.initiator for t in timeline if t.kind == "connection_accepted"}
    assert accepted == {"linkedin:bea-b", "linkedin:ann-o"}  # Bea accepted; Ann accepted Cal
    lunch = [t for t in timeline if t.note == "Lunch"]
    assert [t.initiator for t in lunch] == ["linkedin:ann-o", "linkedin:bea-b"]
    group = next(t for t in memory_book.timeline("linkedin:cal-c") if t.note == "Team")
    assert group.counterparts == ("linkedin:bea-b", "linkedin:cal-c")


def test_an_owner_namesake_is_another_person_and_never_aborts(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    summary = import_linkedin(memory_book, export_2024)
    assert summary.owner == "linkedin:ann-o" == memory_book.owner
    assert memory_book.person("linkedin:ann-namesake").name == "Ann Owner"


def test_company_and_position_are_as_of_the_export(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    summary = import_linkedin(memory_book, export_2024)
    # the export's latest time is its last message, 2024-12-18 08:00 UTC
    bea_now = memory_book.person("linkedin:bea-b", as_of="2024-12-18T09:00:00+00:00")
    assert (bea_now.get("org"), bea_now.get("title")) == ("Acme, Inc.", "Engineer")
    bea_then = memory_book.person("linkedin:bea-b", as_of="2024-12-17T00:00:00+00:00")
    assert bea_then.get("org") is None  # connected on the 16th: that says nothing of then
    assert summary.attributes_updated == 3  # Bea and Cal now; "Cole" when he recommended
    before = _events(memory_book)
    again = import_linkedin(memory_book, export_2024)
    assert (again.added, again.people_added, again.attributes_updated) == (0, 0, 0)
    assert _events(memory_book) == before  # not one event: the same export is nothing new


def test_a_newer_export_adds_a_change_at_its_date_and_keeps_history(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    row = ["Bea", "Brown", "https://www.linkedin.com/in/bea-b", "", "Acme", "Engineer"]
    old = tmp_path / "Basic_LinkedInDataExport_01-10-2023"
    _sheet(old, "Connections.csv", CONNECTIONS, [*row, "05 Jan 2023"])
    _sheet(
        old,
        "Invitations.csv",
        INVITATIONS,
        ["Ann Owner", "Bea Brown", "1/5/23, 9:00 AM", "", "OUTGOING", ANN, row[2]],
    )
    new = tmp_path / "Basic_LinkedInDataExport_06-01-2024"
    _sheet(new, "Connections.csv", CONNECTIONS, [*row[:4], "Globex", "CTO", "05 Jan 2023"])
    _sheet(
        new,
        "Invitations.csv",
        INVITATIONS,
        ["Ann Owner", "Bea Brown", "1/5/23, 9:00 AM", "", "OUTGOING", ANN, row[2]],
    )
    first = import_linkedin(memory_book, old)
    second = import_linkedin(memory_book, new)
    assert (first.attributes_updated, second.attributes_updated, second.added) == (1, 1, 0)
    at = {
        day: memory_book.person("linkedin:bea-b", as_of=f"{day}T12:00:00+00:00")
        for day in ("2023-01-09", "2023-06-01", "2024-06-01")
    }
    assert at["2023-01-09"].get("org") is None  # before the first export: unknown
    assert (at["2023-06-01"].get("org"), at["2023-06-01"].get("title")) == ("Acme", "Engineer")
    assert (at["2024-06-01"].get("org"), at["2024-06-01"].get("title")) == ("Globex", "CTO")
    older_again = import_linkedin(memory_book, old)  # an old export re-read rewrites nothing
    assert (older_again.added, older_again.attributes_updated) == (0, 0)


def test_a_same_day_acceptance_follows_its_invitation(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    bea, cy = "https://www.linkedin.com/in/bea-b", "https://www.linkedin.com/in/cy-c"
    _sheet(
        export,
        "Connections.csv",
        CONNECTIONS,
        ["Bea", "Brown", bea, "", "", "", "15 Dec 2024"],
        ["Cy", "Chen", cy, "", "", "", "15 Dec 2024"],
    )
    _sheet(
        export,
        "Invitations.csv",
        INVITATIONS,
        ["Ann Owner", "Bea Brown", "12/15/24, 7:47 AM", "", "OUTGOING", ANN, bea],
        ["Cy Chen", "Ann Owner", "12/15/24, 6:00 PM", "Hi!", "INCOMING", cy, ANN],
    )
    import_linkedin(memory_book, export)
    for other, accepter in (
        ("linkedin:bea-b", "linkedin:bea-b"),
        ("linkedin:cy-c", "linkedin:ann-o"),
    ):
        request, accepted = memory_book.timeline("linkedin:ann-o", other)
        assert (request.kind, accepted.kind) == ("connection_requested", "connection_accepted")
        assert accepted.initiator == accepter
        assert (accepted.occurred_at - request.occurred_at).total_seconds() == 1
    from ledger.insights import invitations

    found = invitations(memory_book, "linkedin:ann-o", as_of="2024-12-31T00:00:00Z")
    assert sum(group.accepted for group in found.groups) == 2


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/jos%C3%A9-diaz",
        "https://www.linkedin.com/in/JOS%C3%A9-DIAZ/",
        "http://linkedin.com/in/josé-diaz",
        "https://uk.linkedin.com/in/josé-diaz?trk=people",
        "www.linkedin.com/in/Jos\u0065\u0301-Diaz",  # decomposed é: NFC makes it one
    ],
)
def test_profile_urls_have_one_canonical_key(url: str) -> None:
    assert profile_key(url) == "linkedin:josé-diaz"


def test_non_profiles_have_no_key() -> None:
    for url in ("", "urn:li:member:104131488", "https://www.linkedin.com/company/acme"):
        assert profile_key(url) is None


def test_one_person_however_each_file_writes_the_url(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    _sheet(
        export,
        "Connections.csv",
        CONNECTIONS,
        ["José", "Díaz", "https://www.linkedin.com/in/jos%C3%A9-diaz", "", "", "", "01 Mar 2024"],
    )
    _sheet(
        export,
        "Invitations.csv",
        INVITATIONS,
        [
            "Ann Owner",
            "José Díaz",
            "3/1/24, 9:00 AM",
            "",
            "OUTGOING",
            ANN,
            "https://uk.linkedin.com/in/José-Diaz/",
        ],
    )
    _sheet(
        export,
        "messages.csv",
        MESSAGES,
        [
            "2-x==",
            "",
            "José Díaz",
            "http://www.linkedin.com/in/jose%CC%81-diaz",
            "Ann Owner",
            ANN,
            "2024-03-02 10:00:00 UTC",
            "",
            "Hola",
            "INBOX",
        ],
    )
    summary = import_linkedin(memory_book, export)
    assert sorted(memory_book.people()) == ["linkedin:ann-o", "linkedin:josé-diaz"]
    assert summary.added == 3


def test_commas_in_names_and_between_recipients() -> None:
    known = {"Jane Doe, MBA", "Ann Lee", "Bo Ng"}
    assert split_recipients("Jane Doe, MBA", known) == ["Jane Doe, MBA"]
    assert split_recipients("Ann Lee,Bo Ng,Jane Doe, MBA", known) == [
        "Ann Lee",
        "Bo Ng",
        "Jane Doe, MBA",
    ]
    assert split_recipients("Cy Chen, PhD,CPHR", set()) == ["Cy Chen, PhD,CPHR"]  # never "CPHR"
    assert split_recipients("Cy Chen,Di Dao", set()) == ["Cy Chen", "Di Dao"]


def test_a_message_to_the_owners_own_address_is_the_owner(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    _sheet(export, "Profile.csv", ["First Name", "Last Name", "Headline"], ["Ann", "Owner", "x"])
    _sheet(
        export,
        "Email Addresses.csv",
        ["Email Address", "Confirmed", "Primary", "Updated On"],
        ["Ann.Owner@Example.org", "Yes", "Yes", "3/1/17, 5:25 AM"],
    )
    _sheet(
        export,
        "messages.csv",
        MESSAGES,
        [
            "2-x==",
            "",
            "Bea Brown",
            "https://www.linkedin.com/in/bea-b",
            "ann.owner@example.org",
            "",
            "2024-03-02 10:00:00 UTC",
            "",
            "Hi",
            "INBOX",
        ],
    )
    summary = import_linkedin(memory_book, export)
    assert summary.owner == "Ann Owner"  # no profile URL of the owner in this export
    [message] = memory_book.timeline("linkedin:bea-b")
    assert message.counterparts == ("Ann Owner",)


def test_two_owners_keep_each_their_connections(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    bea = [
        "Bea",
        "Brown",
        "https://www.linkedin.com/in/bea-b",
        "",
        "Acme",
        "Engineer",
        "16 Dec 2024",
    ]
    for owner, url in (("Ann Owner", ANN), ("Dan Dee", "https://www.linkedin.com/in/dan-d")):
        export = tmp_path / owner
        _sheet(export, "Connections.csv", CONNECTIONS, bea)
        _sheet(
            export,
            "Invitations.csv",
            INVITATIONS,
            [owner, "Bea Brown", "12/16/24, 9:00 AM", "", "OUTGOING", url, bea[2]],
        )
        summary = import_linkedin(memory_book, export)
        assert summary.added == 2, owner  # the other owner's connection is not this one
    accepted = [
        t for t in memory_book.timeline("linkedin:bea-b") if t.kind == "connection_accepted"
    ]
    assert sorted(t.counterparts for t in accepted) == [("linkedin:ann-o",), ("linkedin:dan-d",)]
    assert memory_book.owner == "linkedin:ann-o"  # the first export's; later ones keep it


def test_the_zip_as_delivered_and_its_folder_are_one_export(
    memory_book: ledger.Ledger, export_2024: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "Basic_LinkedInDataExport_12-20-2024.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in export_2024.iterdir():
            out.write(path, f"Basic_LinkedInDataExport_12-20-2024/{path.name}")
    zipped = import_linkedin(memory_book, archive)
    assert zipped.added == 10 and zipped.attributes_updated == 3
    assert (
        memory_book.person("linkedin:bea-b", as_of="2024-12-20T00:00:00+00:00").get("org")
        == "Acme, Inc."
    )
    unzipped = import_linkedin(memory_book, export_2024)
    assert (unzipped.added, unzipped.ignored) == (0, 10)


def test_a_wrong_or_unreadable_export_is_one_line_naming_it(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    cases = {
        "notes.zip": b"PK\x03\x04 broken",
        "Connections.csv": b"First Name,Last Name\nAnn,Lee\n",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ImportFileError) as caught:
            import_linkedin(memory_book, path)
        assert str(caught.value).startswith(f"{path}:0: not a LinkedIn export")
    folder = tmp_path / "export"
    _sheet(folder, "Connections.csv", ["Name", "Since"], ["Ann", "today"])
    with pytest.raises(ImportFileError, match=r"Connections\.csv:1: no header row found"):
        import_linkedin(memory_book, folder)
    with pytest.raises(ImportFileError, match="no such file or folder"):
        import_linkedin(memory_book, tmp_path / "missing")


def test_damaged_recommendations_copy_is_read(
    memory_book: ledger.Ledger, export_2024: Path
) -> None:
    # cp1252, CRLF, first column lost and "Creation Date.1": a pandas round-trip
    import_linkedin(memory_book, export_2024)
    recommendation = next(
        t for t in memory_book.timeline("linkedin:ann-o") if t.kind == "recommendation"
    )
    assert recommendation.initiator == "Cole"  # no URL, no first name: the name left


def test_2018_export_with_direction_columns(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    summary = import_linkedin(memory_book, _export("linkedin_2018", tmp_path))
    assert (summary.rows_read, summary.added) == (4, 4)
    assert summary.owner == "Eve Evans"  # an export without URLs keys people by name
    assert memory_book.person("Dan Diaz", as_of="2018-10-18T00:00:00+00:00").get("org") == "Initech"
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
    assert summary.skipped_by_reason["Connected On is unreadable"] == 1


@pytest.mark.parametrize("date", ["\u0661\u0666 Dec 2024", "16 Dec 20\u00b24", "1" * 70_000])
def test_dates_are_ascii_and_errors_quote_a_little(
    memory_book: ledger.Ledger, export_2024: Path, date: str
) -> None:
    path = export_2024 / "Connections.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("16 Dec 2024", date), encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_linkedin(memory_book, export_2024)
    message = str(caught.value)
    assert message.startswith(f"{path}:5: Connected On ") and len(message) < 300


def test_a_cut_file_is_refused(memory_book: ledger.Ledger, export_2024: Path) -> None:
    path = export_2024 / "Connections.csv"
    text = path.read_text()
    path.write_text(text[: text.rindex("\n")][:-12])  # the last row stops mid-way
    with pytest.raises(ImportFileError, match=r"Connections\.csv:\d+: the file ends in the middle"):
        import_linkedin(memory_book, export_2024)


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


def test_me_takes_a_name_or_a_profile_url(memory_book: ledger.Ledger, export_2024: Path) -> None:
    by_url = import_linkedin(memory_book, export_2024, owner="https://linkedin.com/in/ANN-O/")
    assert by_url.owner == "linkedin:ann-o"
    by_name = import_linkedin(memory_book, export_2024, owner="Ann Owner")
    assert by_name.owner == "linkedin:ann-o" and by_name.added == 0


def test_not_an_export_folder(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no LinkedIn export files here"):
        import_linkedin(memory_book, tmp_path)


def test_an_owner_already_set_is_kept(memory_book: ledger.Ledger, export_2024: Path) -> None:
    memory_book.add_person("someone")
    memory_book.set_owner("someone")
    import_linkedin(memory_book, export_2024)
    assert memory_book.owner == "someone"
