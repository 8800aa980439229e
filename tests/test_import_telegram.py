"""``ledger import telegram``: Telegram Desktop's result.json, on the real samples.

Counts come from FACTS.json (an independent stdlib count); the rest by hand.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

import pytest

import ledger
from ledger.sources import ImportFileError
from ledger.sources.telegram import import_telegram

REAL = Path(__file__).parent / "fixtures" / "real" / "telegram"
FACTS = json.loads((REAL.parent / "FACTS.json").read_text())


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.json")))
def test_real_exports(name: str) -> None:
    [chat] = FACTS[f"telegram/{name}"]["chats"]
    with _book() as book:
        summary = import_telegram(book, REAL / name)
        assert summary.rows_read == chat["messages"]
        assert summary.added == chat["by_type"]["message"]
        assert summary.skipped == chat["by_type"].get("service", 0)
        assert len(book.people()) == chat["distinct_from"]
        again = import_telegram(book, REAL / name)
        assert (again.added, again.ignored) == (0, summary.added)


def test_ids_are_handles_and_times_exact() -> None:
    with _book() as book:
        import_telegram(book, REAL / "eklipti_anonymised_supergroup_raw_plus5.json")
        assert book.people() == ["telegram:usera123456789", "telegram:userb987654321"]
        person = book.person("telegram:userb987654321")
        assert person.name == "Пользователь B"
        assert ("handle", "telegram:userb987654321") in person.identifiers
        first = book.timeline("telegram:userb987654321")[0]
        assert first.occurred_at.timestamp() == 1760717587  # date_unixtime, not "date"


def test_the_two_variants_of_one_chat_are_the_same_messages() -> None:
    """raw[0] is raw[+5] with an object added to each message by a tool: same facts."""
    with _book() as book:
        first = import_telegram(book, REAL / "eklipti_anonymised_supergroup_raw_plus5.json")
        second = import_telegram(book, REAL / "eklipti_anonymised_supergroup_raw0.json")
        assert (second.added, second.ignored) == (0, first.added)


@pytest.mark.parametrize("me", ["telegram:userA123456789", "Telegram:USERA123456789"])
def test_me_as_the_export_writes_the_id_is_the_sender(me: str) -> None:
    """``--me`` copied from the export (``userA123456789``, Telegram's case) is the
    sender keyed ``telegram:usera123456789``: one person, the owner (it used to be a
    second person, or an error naming one person twice)."""
    path = REAL / "eklipti_anonymised_supergroup_raw0.json"
    senders = Counter(m.get("from_id") for m in json.loads(path.read_text())["messages"])
    with _book() as book:
        summary = import_telegram(book, path, me=me)
        assert summary.owner == "telegram:usera123456789"
        assert book.owner == "telegram:usera123456789"
        assert book.people() == ["telegram:usera123456789", "telegram:userb987654321"]
        pair = book.pair("telegram:usera123456789", "telegram:userb987654321")
        assert pair.decay.touches == senders["userA123456789"] + senders["userB987654321"]


def test_full_export_owner_and_errors(tmp_path: Path) -> None:
    export = {
        "personal_information": {"user_id": 42, "first_name": "Ann", "last_name": "Lee"},
        "chats": {
            "list": [
                {
                    "name": "Bob",
                    "type": "personal_chat",
                    "id": 7,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "date": "2024-01-01T10:00:00",
                            "date_unixtime": "1704103200",
                            "from": "Bob",
                            "from_id": "user7",
                            "text": "hi",
                        },
                        {
                            "id": 2,
                            "type": "service",
                            "date": "2024-01-01T10:01:00",
                            "actor": "Ann Lee",
                            "action": "phone_call",
                        },
                    ],
                }
            ]
        },
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, indent=1))
    with _book() as book:
        summary = import_telegram(book, path)
        assert summary.owner == "telegram:user42"
        assert book.person("telegram:user42").name == "Ann Lee"
        assert summary.skipped_by_reason == {"service message (phone_call)": 1}
        assert book.pair("telegram:user42", "telegram:user7").decay.touches == 1
    export["chats"]["list"][0]["messages"][0]["date_unixtime"] = "17041032OO"
    path.write_text(json.dumps(export, indent=1))
    with _book() as book, pytest.raises(ImportFileError, match=r"result\.json:\d+: .*Unix seconds"):
        import_telegram(book, path)
    path.write_text("{not json")
    with _book() as book, pytest.raises(ImportFileError, match=r"result\.json:1: not JSON"):
        import_telegram(book, path)
