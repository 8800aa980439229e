"""``ledger import whatsapp``: every real export layout in tests/fixtures/real/whatsapp.

Counts come from FACTS.json (an independent stdlib count: entries, system lines, user
messages, senders); dates, times and group membership are checked by hand.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import pytest

import ledger
from ledger.sources.whatsapp import import_whatsapp

REAL = Path(__file__).parent / "fixtures" / "real" / "whatsapp"
FACTS = json.loads((REAL.parent / "FACTS.json").read_text())
FILES = sorted(p.name for p in REAL.glob("*.txt"))


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


@pytest.mark.parametrize("name", FILES)
def test_every_layout(name: str) -> None:
    facts = FACTS[f"whatsapp/{name}"]
    entries, messages = facts["messages_and_system_lines"], facts["user_messages"]
    if name == "whatsjson_ios_arabic_rtl.txt":
        # 14 lines start with U+200F before the bracket: FACTS's script reads them as
        # continuation lines, the importer (ignoring direction marks) as messages.
        rlm = sum(
            1 for line in (REAL / name).read_text().splitlines() if line.startswith("\u200f[")
        )
        assert rlm == 14
        entries, messages = entries + rlm, messages + rlm
    with _book() as book:
        summary = import_whatsapp(book, REAL / name, me="The Owner")
        assert summary.rows_read == entries
        assert summary.skipped_by_reason.get("system line", 0) == facts["system_lines"]
        assert summary.added == messages
        assert summary.balanced
        assert len(book.people()) == facts["distinct_senders"] + 1  # and the owner
        again = import_whatsapp(book, REAL / name, me="The Owner")
        assert (again.added, again.ignored) == (0, messages)


def _times(book: ledger.Ledger, key: str) -> list[datetime]:
    """When ``key`` wrote, in time order."""
    return sorted({t.occurred_at for t in book.timeline(key) if t.initiator == key})


@pytest.mark.parametrize(
    ("name", "sender", "first"),
    [
        ("soda_android_dotted_date.txt", "person1", "2022-03-16T15:20:00+00:00"),  # D.M.Y
        ("whatsjson_ios_buddhist_calendar.txt", "Dmitry S", "2022-03-27T21:41:35+00:00"),
        ("whatsjson_ios_vi_time_first.txt", "Dmitry S", "2022-03-27T21:41:35+00:00"),
        ("whatsjson_android_nl_dashes.txt", "Dmitry S", "2022-03-18T14:56:00+00:00"),
        ("chatminer_mmddyyyy_12h_es_am_pm.txt", "Jahn Doe", "2019-01-30T20:49:00+00:00"),
    ],
)
def test_dates_read_by_hand(name: str, sender: str, first: str) -> None:
    with _book() as book:
        import_whatsapp(book, REAL / name, me="The Owner")
        assert _times(book, sender)[0].isoformat() == first


def test_twelve_hour_clock_and_zone() -> None:
    with _book() as book:
        import_whatsapp(
            book, REAL / "whatsr_englishandroidampm.txt", me="You", timezone="Europe/Berlin"
        )
        assert _times(book, "Mallory")[0].isoformat() == "2018-01-29T11:24:00+00:00"  # 12:24 PM
        alice = [t.isoformat() for t in _times(book, "Alice")]
        assert "2018-01-29T23:14:00+00:00" in alice  # l.48 "1/30/18, 00:14 AM", Berlin


def test_a_group_message_touches_every_member() -> None:
    with _book() as book:
        import_whatsapp(book, REAL / "whatsr_englishiosampm.txt", me="You")
        members = book.people()
        assert len(members) == 6
        first = book.timeline("Mallory")[0]
        assert len(first.counterparts) == 5
        assert set(first.counterparts) == set(members) - {"Mallory"}


def test_phone_senders_are_phone_identifiers() -> None:
    with _book() as book:
        import_whatsapp(book, REAL / "real_android_group_dmy_24h_phones_redacted.txt")
        phones = [k for k in book.people() if k.startswith("+")]
        assert phones and all(k[1:].isdigit() for k in phones)  # E.164 (U+202A/U+202C gone)
        assert ("phone", phones[0]) in book.person(phones[0]).identifiers


def test_multi_line_message_is_one(tmp_path: Path) -> None:
    with _book() as book:
        summary = import_whatsapp(book, REAL / "soda_ios_ddmmyyyy_12h_mixed_eol.txt")
        # 10 entries, one system line; "Hi \n\nshiva!" over three lines is one message
        assert (summary.rows_read, summary.added) == (10, 9)


def test_a_chat_where_one_person_wrote_needs_me() -> None:
    with _book() as book:
        summary = import_whatsapp(book, REAL / "whatsjson_android_group_system_lines.txt")
        assert summary.added == 0
        assert summary.skipped_by_reason["no other member of the chat known (give --me)"] == 4
