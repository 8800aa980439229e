"""``ledger import mail``: the recipients limit, an owner with several addresses, and
progress on big files, on hand-made mailboxes.

Expected numbers are counted here independently of the importer: the messages are read
back with the standard library's ``mailbox`` module, not the importer's own reader.
"""

from __future__ import annotations

import mailbox
import uuid
from email.utils import getaddresses
from pathlib import Path

import orjson
from click.testing import CliRunner

import ledger
from ledger.cli.main import main
from ledger.sources.mail import MAX_RECIPIENTS, import_mail


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


def _message(n: int, sender: str, to: str, cc: str = "", extra: str = "") -> str:
    cc_line = f"Cc: {cc}\n" if cc else ""
    return (
        f"From x@x Mon Jan  1 00:00:00 2024\n"
        f"From: {sender}\nTo: {to}\n{cc_line}{extra}"
        f"Date: Mon, 1 Jan 2024 {n // 60 % 24:02d}:{n % 60:02d}:00 +0000\n"
        f"Message-ID: <m{n}@test>\n\nbody {n}\n\n"
    )


def _recipients(message: mailbox.mboxMessage, owner: frozenset[str] = frozenset()) -> set[str]:
    """The distinct people a message went to besides its sender (the owner's addresses
    as one), read by the standard library."""

    def who(address: str) -> str:
        address = address.lower()
        return "me" if address in owner else address

    sender = {who(a) for _, a in getaddresses(message.get_all("From", []))}
    found = {who(a) for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))}
    return found - sender


def _many(count: int) -> str:
    return ", ".join(f"Person {i} <p{i}@list.example>" for i in range(count))


def _bulk_mbox(path: Path) -> None:
    path.write_text(
        _message(1, "a@x.example", "b@x.example, c@x.example, d@x.example")  # 3
        + _message(2, "a@x.example", "b@x.example, c@x.example", "d@x.example, e@x.example")  # 4
        # the sender and a repeated address are not more recipients: 2
        + _message(3, "a@x.example", "a@x.example, b@x.example, c@x.example, B <B@x.example>")
        + _message(4, "a@x.example", _many(MAX_RECIPIENTS))  # 50
        + _message(5, "a@x.example", _many(MAX_RECIPIENTS), "z@x.example")  # 51
        + _message(6, "a@x.example", _many(200))
    )


def test_more_than_max_recipients_is_bulk_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "bulk.mbox"
    _bulk_mbox(path)
    counts = [len(_recipients(m)) for m in mailbox.mbox(path)]
    assert counts == [3, 4, 2, 50, 51, 200]
    for limit in (3, MAX_RECIPIENTS, 1000):
        over = sum(1 for n in counts if n > limit)
        with _book() as book:
            summary = import_mail(book, path, max_recipients=limit)
            assert summary.rows_read == len(counts)
            expected = {f"bulk mail (more than {limit} recipients)": over} if over else {}
            assert summary.skipped_by_reason == expected
            assert summary.added == len(counts) - over
            assert summary.balanced
            # a skipped mass mailing names nobody: its recipients are not people here
            people = set(book.people())
            assert ("p199@list.example" in people) is (limit >= 200)
            assert ("e@x.example" in people) is (limit >= 4)
    default = import_mail(_book(), path)
    assert default.skipped_by_reason == {"bulk mail (more than 50 recipients)": 2}


def test_cli_max_recipients(tmp_path: Path) -> None:
    path = tmp_path / "bulk.mbox"
    _bulk_mbox(path)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        main, ["--db", db, "import", "mail", str(path), "--max-recipients", "3", "--output", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.output)
    assert summary["skipped_by_reason"] == [
        {"reason": "bulk mail (more than 3 recipients)", "rows": 4}
    ]
    assert (summary["rows_read"], summary["added"]) == (6, 2)


ME = ("ann@work.example", "Ann.Home@example.org", "Ann.Lee@Gmail.com")
OWNER = frozenset({"ann@work.example", "ann.home@example.org", "ann.lee@gmail.com"})
"""ME as written, lower-cased; Gmail ignores dots, so annlee@gmail.com is ann.lee@."""


def _owner_mbox(path: Path) -> None:
    path.write_text(
        _message(1, "ann@work.example", "ann.home@example.org")  # to oneself
        + _message(2, '"Lee, Ann" <ann.home@example.org>', "annlee@gmail.com", "ANN@work.example")
        + _message(3, "Bob <bob@x.example>", "ann.home@example.org")
        + _message(4, "annlee@gmail.com", "bob@x.example", "ann.home@example.org")
        + _message(5, "ann@work.example", "bob@x.example, carol@x.example")
        + _message(6, "carol@x.example", "ann@work.example, ann.lee@gmail.com")
        + _message(7, "dave@x.example", "ann@work.example, ann.home@example.org, bob@x.example")
    )


def test_every_me_address_is_the_owner(tmp_path: Path) -> None:
    path = tmp_path / "owner.mbox"
    _owner_mbox(path)
    owner = OWNER | {"annlee@gmail.com"}
    boxes = list(mailbox.mbox(path))
    to_self = sum(1 for m in boxes if not _recipients(m, owner))
    assert to_self == 2
    # the owner's addresses on one message are one recipient: message 7 goes to two
    assert max(len(_recipients(m, owner)) for m in boxes) == 2
    with _book() as book:
        summary = import_mail(book, path, me=ME, max_recipients=2)
        assert summary.owner == book.owner == "ann@work.example"
        assert summary.rows_read == len(boxes)
        assert summary.skipped_by_reason == {"a message to oneself": to_self}
        assert summary.added == len(boxes) - to_self
        assert book.people() == [
            "ann@work.example",
            "bob@x.example",
            "carol@x.example",
            "dave@x.example",
        ]
        for address in [*OWNER, "annlee@gmail.com", "Ann.Home@Example.org"]:
            assert book.person(address).key == "ann@work.example"
        card = book.person("ann@work.example")
        assert {v for k, v in card.identifiers if k == "email"} == {
            "ann@work.example",
            "ann.home@example.org",
            "annlee@gmail.com",
        }
        assert card.name == "Lee, Ann"  # only the home address came with a name
        # 3, 4 and 5 touch bob (7 is dave's to both: no pair of them); 5 and 6 carol
        assert len(book.timeline("ann@work.example", "bob@x.example")) == 3
        assert len(book.timeline("ann@work.example", "carol@x.example")) == 2
        assert book.verify() == []


def test_cli_me_repeated(tmp_path: Path) -> None:
    path = tmp_path / "owner.mbox"
    _owner_mbox(path)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["--db", db, "import", "mail", str(path), "--output", "json"]
    for address in ME:
        args += ["--me", address]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.output)
    assert summary["owner"] == "ann@work.example"
    assert summary["skipped_by_reason"] == [{"reason": "a message to oneself", "rows": 2}]
    assert summary["added"] == 5


def test_progress_on_a_big_mbox_and_a_big_folder(tmp_path: Path) -> None:
    count = 12_001
    path = tmp_path / "big.mbox"
    with path.open("w") as out:
        for n in range(count):
            out.write(_message(n, f"p{n % 7}@x.example", "me@x.example"))
    calls: list[tuple[str, int, int]] = []
    with _book() as book:
        summary = import_mail(book, path, progress=lambda *a: calls.append(a))
    assert summary.added == count
    read = [(done, total) for stage, done, total in calls if stage == "read"]
    assert read == [(5000, count), (10_000, count), (count, count)]
    assert [c for c in calls if c[0] == "write"] == [("write", 0, count), ("write", count, count)]
    assert calls.index(("write", 0, count)) > calls.index(("read", count, count))

    folder = tmp_path / "eml"
    folder.mkdir()
    files = 2_001
    for n in range(files):
        _envelope, headers = _message(n, "a@x.example", "b@x.example").split("\n", 1)
        (folder / f"{n:05}.eml").write_text(headers)  # no envelope line in a .eml
    calls.clear()
    with _book() as book:
        summary = import_mail(book, folder, progress=lambda *a: calls.append(a))
    assert (summary.rows_read, summary.added) == (files, files)
    read = [(done, total) for stage, done, total in calls if stage == "read"]
    assert read == [(1000, files), (2000, files), (files, files)]
