"""The LinkedIn importer on real exports written by others: the four in ../shared/data
and the five excerpts in tests/fixtures/real/linkedin. Every expected number is
computed here from the raw CSV files with the csv module, not by the importer."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

import ledger
from ledger.insights import invitations
from ledger.sources import import_linkedin

REAL = Path(__file__).parent / "fixtures" / "real" / "linkedin"
SHARED = ("Feynman10__Proile", "SStellaMary__LinkedIn-Analysis", "mohamedeways__LinkedIn-Profile")
OLD = "abhishekwebcode__Abhishek-Mathur-Complete_LinkedInDataExport_11-04-2018"
FIXTURES = sorted(path.name for path in REAL.iterdir())
TOUCH_FILES = (
    "connections.csv",
    "messages.csv",
    "invitations.csv",
    "endorsement_received_info.csv",
    "recommendations_received.csv",
)


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    """A file's data rows as dicts (keys upper-cased), below its Notes: preamble."""
    found = [p for p in folder.iterdir() if p.name.lower() == name]
    if not found:
        return []
    data = found[0].read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    records = [
        r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)
    ]
    start = next(i for i, r in enumerate(records) if len(r) >= 3)
    header = [h.strip().upper().removesuffix(".1") for h in records[start]]
    return [dict(zip(header, r, strict=False)) for r in records[start + 1 :]]


def _slug(url: str) -> str:
    """A profile URL's slug as the importer's docs define its key: decoded, lower case."""
    return unquote(url.strip().split("/in/")[1].split("?")[0].strip("/")).lower()


def _name(*parts: str) -> str:
    return " ".join(" ".join(parts).split())


def _expected_owner(folder: Path) -> tuple[str, str | None]:
    """(name, profile key or None): Profile.csv, else the owner's side of invitations,
    else the one name in every conversation."""
    profile = _rows(folder, "profile.csv")
    if profile:
        return _name(profile[0]["FIRST NAME"], profile[0]["LAST NAME"]), None
    sides = Counter()
    for row in _rows(folder, "invitations.csv"):
        outgoing = row["DIRECTION"] == "OUTGOING"
        url = row.get("INVITERPROFILEURL" if outgoing else "INVITEEPROFILEURL", "")
        sides[(_name(row["FROM" if outgoing else "TO"]), url)] += 1
    if sides:
        (owner, url), _ = sides.most_common(1)[0]
        return owner, f"linkedin:{_slug(url)}" if "/in/" in url else None
    talks: dict[str, set[str]] = {}
    urls: Counter[str] = Counter()
    for row in _rows(folder, "messages.csv"):
        talks.setdefault(row["CONVERSATION ID"], set()).update(
            {_name(row["FROM"]), _name(row["TO"])}
        )
        urls[(_name(row["FROM"]), row.get("SENDER PROFILE URL", ""))] += 1
    everywhere = set.intersection(*talks.values())
    [owner] = everywhere
    url = next(u for (n, u), _ in urls.most_common() if n == owner)
    return owner, f"linkedin:{_slug(url)}"


def _exports(shared_data: Path | None) -> Iterator[Path]:
    yield from (REAL / name for name in FIXTURES)
    if shared_data is not None:
        yield from (shared_data / "linkedin" / name for name in (*SHARED, OLD))


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


def _events(book: ledger.Ledger) -> int:
    return book.log_position


def _check_export(folder: Path) -> None:
    rows = sum(len(_rows(folder, name)) for name in TOUCH_FILES)
    owner_name, owner_key = _expected_owner(folder)
    with _book() as book:
        summary = import_linkedin(book, folder)
        assert summary.balanced and summary.rows_read == rows, folder.name
        assert book.person(summary.owner).name == owner_name, folder.name
        if owner_key is not None:
            assert summary.owner == owner_key, folder.name
        assert book.owner == summary.owner
        before = _events(book)
        again = import_linkedin(book, folder)
        assert (again.added, again.people_added, again.attributes_updated) == (0, 0, 0)
        assert again.ignored == summary.added and _events(book) == before, folder.name
        _check_kinds(book, folder, summary.owner)


def _check_kinds(book: ledger.Ledger, folder: Path, owner: str) -> None:
    kinds = Counter(t.kind for t in book.timeline(owner))
    connections = _rows(folder, "connections.csv")
    named = [
        r
        for r in connections
        if any(r.get(k, "").strip() for k in ("FIRST NAME", "LAST NAME", "URL"))
    ]
    assert kinds["connection_accepted"] == len(named), folder.name
    assert kinds["connection_requested"] == len(_rows(folder, "invitations.csv")), folder.name
    assert kinds["endorsement"] == len(_rows(folder, "endorsement_received_info.csv"))
    assert kinds["recommendation"] == len(_rows(folder, "recommendations_received.csv"))


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_export(name: str) -> None:
    _check_export(REAL / name)


@pytest.mark.realdata
@pytest.mark.parametrize("name", [*SHARED, OLD])
def test_shared_export(shared_data: Path, name: str) -> None:
    _check_export(shared_data / "linkedin" / name)


def test_a_name_with_a_comma_is_one_person_and_credentials_no_people() -> None:
    folder = REAL / "femi10_2021"
    messages = _rows(folder, "messages.csv")
    with_comma = {_name(r["FROM"]) for r in messages if ", " in r["FROM"]}
    fragments = {name.rsplit(", ", 1)[1] for name in with_comma}  # "CPHR"-like tails
    assert fragments
    with _book() as book:
        summary = import_linkedin(book, folder)
        names = {book.person(key).name for key in book.people()}
        assert book.person(summary.owner).name in with_comma
        assert not names & fragments and not set(book.people()) & fragments


def test_group_recipients_joined_by_bare_commas_are_several_people() -> None:
    folder = REAL / "nikhil_2022"
    grouped = [r for r in _rows(folder, "messages.csv") if re.search(r",(?!\s)", r["TO"])]
    sizes = Counter(
        len({_name(p) for p in r["TO"].split(",")} - {_name(r["FROM"])}) for r in grouped
    )
    assert sum(sizes.values()) == 151  # FACTS.json: to_with_comma
    with _book() as book:
        summary = import_linkedin(book, folder)
        seen = [t for t in book.timeline(summary.owner) if t.kind == "message"]
        found = Counter(len(t.counterparts) for t in seen if len(t.counterparts) > 1)
        assert found == {size: n for size, n in sizes.items() if size > 1}


def test_percent_encoded_slugs_are_decoded_keys() -> None:
    folder = REAL / "mauricio_2026"
    encoded = [r["URL"] for r in _rows(folder, "connections.csv") if "%" in r["URL"]]
    with _book() as book:
        import_linkedin(book, folder)
        people = set(book.people())
        assert encoded and all(f"linkedin:{_slug(url)}" in people for url in encoded)
        assert not any("%" in key for key in people)


def test_isolate_marks_around_an_emoji_name_are_read(shared_data: Path) -> None:
    folder = shared_data / "linkedin" / "mohamedeways__LinkedIn-Profile"
    wrapped = [
        r for r in _rows(folder, "connections.csv") if "\u2066" in r["FIRST NAME"] + r["LAST NAME"]
    ]
    assert wrapped  # the export has one
    with _book() as book:
        import_linkedin(book, folder)
        for row in wrapped:
            key = f"linkedin:{_slug(row['URL'])}"
            shown = book.person(key).name
            assert "\u2066" not in shown and "\u2069" not in shown and shown


def _connected(value: str) -> date:
    for pattern in ("%d %b %Y", "%d-%b-%y"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            pass
    raise ValueError(value)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["Feynman10__Proile", "SStellaMary__LinkedIn-Analysis"])
def test_invitation_outcomes_including_same_day(shared_data: Path, name: str) -> None:
    folder = shared_data / "linkedin" / name
    since = {
        _slug(r["URL"]): _connected(r["CONNECTED ON"])
        for r in _rows(folder, "connections.csv")
        if r["URL"]
    }
    expected = Counter()
    same_day = 0
    for row in _rows(folder, "invitations.csv"):
        outgoing = row["DIRECTION"] == "OUTGOING"
        other = _slug(row["INVITEEPROFILEURL" if outgoing else "INVITERPROFILEURL"])
        sent = datetime.strptime(row["SENT AT"], "%m/%d/%y, %I:%M %p").date()
        if other in since and since[other] >= sent:
            expected["sent" if outgoing else "received"] += 1
            same_day += since[other] == sent
    assert same_day > 100  # the case a midnight acceptance would get wrong
    with _book() as book:
        summary = import_linkedin(book, folder)
        found = invitations(book, summary.owner, as_of="2025-01-01T00:00:00Z")
        accepted = Counter()
        for group in found.groups:
            accepted[group.direction] += group.accepted
        assert accepted == expected


@pytest.mark.realdata
def test_company_and_position_are_as_of_the_export(shared_data: Path) -> None:
    folder = shared_data / "linkedin" / "Feynman10__Proile"
    rows = [r for r in _rows(folder, "connections.csv") if r["URL"] and r["COMPANY"].strip()]
    latest = max(
        datetime.strptime(r["DATE"], "%Y-%m-%d %H:%M:%S UTC") for r in _rows(folder, "messages.csv")
    )
    row = rows[len(rows) // 2]
    with _book() as book:
        import_linkedin(book, folder)
        key = f"linkedin:{_slug(row['URL'])}"
        then = _connected(row["CONNECTED ON"]).isoformat() + "T12:00:00+00:00"
        now = latest.isoformat() + "+00:00"
        assert book.person(key, as_of=now).get("org") == _name(row["COMPANY"])
        assert book.person(key, as_of=then).get("org") is None


@pytest.mark.realdata
def test_an_owner_namesake_is_kept_apart(shared_data: Path) -> None:
    folder = shared_data / "linkedin" / "Feynman10__Proile"
    owner, owner_key = _expected_owner(folder)
    namesakes = {
        f"linkedin:{_slug(r['INVITEEPROFILEURL'])}"
        for r in _rows(folder, "invitations.csv")
        if r["DIRECTION"] == "OUTGOING" and _name(r["TO"]) == owner
    }
    with _book() as book:
        summary = import_linkedin(book, folder)
        assert summary.owner == owner_key and namesakes and owner_key not in namesakes
        assert all(book.person(key).name == owner for key in namesakes)


def test_two_real_accounts_in_one_ledger_keep_their_connections() -> None:
    with _book() as book:
        counts = {}
        for name in ("mauricio_2026", "nikhil_2022"):
            summary = import_linkedin(book, REAL / name)
            counts[summary.owner] = sum(
                1
                for r in _rows(REAL / name, "connections.csv")
                if _name(r["FIRST NAME"], r["LAST NAME"])
            )
        for owner, expected in counts.items():
            found = [t for t in book.timeline(owner) if t.kind == "connection_accepted"]
            assert len(found) == expected


def test_profile_urls_and_addresses_are_identifiers_an_address_book_shares(
    tmp_path: Path,
) -> None:
    """A connection's profile URL and the address Connections.csv shows are identifiers:
    an address book's card with that address, or with the URL written another way
    (``http``, ``uk.``, upper case, a trailing slash), is the same person (each used to be
    a second person, the URL or address as a key of its own)."""
    from ledger.sources import import_contacts

    folder = REAL / "mauricio_2026"
    rows = [r for r in _rows(folder, "connections.csv") if "/in/" in r["URL"]]
    mailed = [r for r in rows if "@" in r["EMAIL ADDRESS"]]
    bare = [r for r in rows if not r["EMAIL ADDRESS"].strip() and "%" not in r["URL"]][:5]
    cards = [
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card {i}\r\nEMAIL:{r['EMAIL ADDRESS'].upper()}\r\n"
        "END:VCARD\r\n"
        for i, r in enumerate(mailed)
    ] + [
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Url {i}\r\n"
        f"URL:http://uk.linkedin.com/in/{_slug(r['URL']).upper()}/\r\nEND:VCARD\r\n"
        for i, r in enumerate(bare)
    ]
    book_file = tmp_path / "contacts.vcf"
    book_file.write_text("".join(cards))
    with _book() as book:
        import_linkedin(book, folder)
        before = book.people()
        summary = import_contacts(book, book_file)
        assert mailed and bare and summary.people_added == 0
        assert book.people() == before
        for r in [*mailed, *bare]:
            key = f"linkedin:{_slug(r['URL'])}"
            assert ("url", f"linkedin.com/in/{_slug(r['URL'])}") in book.person(key).identifiers
        for r in mailed:
            assert book.person(r["EMAIL ADDRESS"].strip()).key == f"linkedin:{_slug(r['URL'])}"
