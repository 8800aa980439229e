"""``ledger import contacts``: vCard 2.1/3.0/4.0 and contacts CSV on real files.

Card and address counts come from ``tests/fixtures/real/FACTS.json`` (an independent
stdlib count); names, organisations and resolution are checked by hand.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

import ledger
from ledger.sources import ImportFileError
from ledger.sources.contacts import import_contacts
from ledger.sources.mail import import_mail

REAL = Path(__file__).parent / "fixtures" / "real"
FACTS = json.loads((REAL / "FACTS.json").read_text())
VCARDS = sorted(p.name for p in (REAL / "vcard").glob("*.vcf") if "ANDROID" not in p.name)
CSVS = sorted(p.name for p in (REAL / "vcard").glob("*.csv"))


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


@pytest.mark.parametrize("name", VCARDS)
def test_every_card_is_one_person_with_its_addresses(name: str) -> None:
    facts = FACTS[f"vcard/{name}"]
    with _book() as book:
        summary = import_contacts(book, REAL / "vcard" / name, as_of="2024-06-01")
        assert summary.rows_read == facts["cards"]
        assert summary.balanced
        assert summary.people_added == len(book.people()) == facts["cards"]
        emails = sorted(
            sum(1 for kind, _ in book.person(key).identifiers if kind == "email")
            for key in book.people()
        )
        # every address on a card is one identifier (none of these repeats one)
        assert emails == sorted(facts["emails_per_card"])
        with_org = sum(1 for key in book.people() if book.person(key).get("org"))
        assert with_org == facts["cards_with_org"]
        again = import_contacts(book, REAL / "vcard" / name, as_of="2024-06-01")
        assert (again.added, again.ignored, again.people_added) == (0, facts["cards"], 0)


@pytest.mark.parametrize("name", CSVS)
def test_contacts_csv(name: str) -> None:
    facts = FACTS[f"vcard/{name}"]
    with _book() as book:
        summary = import_contacts(book, REAL / "vcard" / name, as_of="2024-06-01")
        assert summary.rows_read == facts["rows"]
        [key] = book.people()
        found = [v for kind, v in book.person(key).identifiers if kind == "email"]
        assert len(found) == facts["emails"]


def test_android_card_with_a_broken_byte_is_an_error_naming_its_line() -> None:
    path = REAL / "vcard" / "ezvcard_John_Doe_ANDROID.vcf"
    with _book() as book:
        with pytest.raises(ImportFileError, match=r"ANDROID\.vcf:71: unreadable vCard"):
            import_contacts(book, path)
        assert book.people() == []
        summary = import_contacts(book, path, skip_invalid=True, region="US")
        assert (summary.rows_read, summary.skipped) == (
            FACTS["vcard/ezvcard_John_Doe_ANDROID.vcf"]["cards"],
            1,
        )
        # hand-checked: the 2.1 quoted-printable names (soft line breaks) decode
        names = {book.person(k).name for k in book.people()}
        assert "Ñ Ñ Ñ Ñ Ñ" in names


def test_a_card_seeds_identity_for_later_mail(tmp_path: Path) -> None:
    card = tmp_path / "ann.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nN:Lee;Ann;;;\r\n"
        "EMAIL;TYPE=work:ann@work.example\r\nEMAIL;TYPE=home:Ann.Lee@gmail.com\r\n"
        "TEL;TYPE=cell:(212) 555-0100\r\nORG:Initech;R&D\r\nTITLE:Engineer\r\n"
        "REV:20240301T120000Z\r\nEND:VCARD\r\n"
    )
    box = tmp_path / "box.mbox"
    box.write_text(
        "From x Mon Jan  1 00:00:00 2024\nFrom: Ann <annlee@gmail.com>\nTo: me@example.org\n"
        "Date: Tue, 5 Mar 2024 10:00:00 +0000\nMessage-ID: <1@x>\n\nhi\n\n"
        "From x Mon Jan  1 00:00:00 2024\nFrom: me@example.org\nTo: ann@work.example\n"
        "Date: Tue, 5 Mar 2024 11:00:00 +0000\nMessage-ID: <2@x>\n\nhi\n"
    )
    with _book() as book:
        summary = import_contacts(book, card, region="US")
        assert (summary.added, summary.attributes_updated) == (1, 1)
        ann = book.person("+12125550100")
        assert (ann.key, ann.name) == ("ann@work.example", "Ann Lee")
        assert set(ann.identifiers) >= {
            ("email", "ann@work.example"),
            ("email", "annlee@gmail.com"),
            ("phone", "+12125550100"),
        }
        # organisation and title as of the card's REV
        assert book.person(ann.key, as_of="2024-03-01T12:00:00Z").attributes == {
            "org": "Initech",
            "title": "Engineer",
        }
        assert book.person(ann.key, as_of="2024-02-01T00:00:00Z").attributes == {}
        mail = import_mail(book, box, me="me@example.org")
        assert mail.added == 2
        assert book.people() == ["ann@work.example", "me@example.org"]
        assert book.pair("ann@work.example", "me@example.org").decay.touches == 2
        # a second export with a new address adds it, and nothing else
        card.write_text(card.read_text().replace("END:VCARD", "EMAIL:ann@new.example\r\nEND:VCARD"))
        again = import_contacts(book, card, region="US")
        assert (again.added, again.people_added) == (1, 0)
        assert book.person("ann@new.example").key == "ann@work.example"
