"""``ledger import mail``: mbox, Maildir and .eml files, on real files and by hand.

Expected numbers come from ``tests/fixtures/real/FACTS.json`` (counted by an independent
stdlib script from the format specifications) or are counted by hand below.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

import ledger
from ledger.sources import ImportFileError
from ledger.sources.mail import import_mail

REAL = Path(__file__).parent / "fixtures" / "real"
FACTS = json.loads((REAL / "FACTS.json").read_text())


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


def test_notmuch_maildir_tree() -> None:
    facts = FACTS["maildir/notmuch_default/"]
    with _book() as book:
        summary = import_mail(book, REAL / "maildir" / "notmuch_default")
        assert summary.rows_read == facts["messages"] == facts["files"]
        assert summary.balanced
        # every message with List-Unsubscribe (9) is bulk; one Message-ID is stored twice
        assert (
            summary.skipped_by_reason["bulk mail (List-Unsubscribe)"]
            == facts["with_list_unsubscribe"]
        )
        assert summary.ignored == facts["messages"] - facts["distinct_message_ids"] == 1
        # hand-checked: one message is from cworth to himself only
        assert summary.skipped_by_reason["no recipient besides the sender"] == 1
        assert summary.added == 53 - 9 - 1 - 1
        assert summary.owner == "cworth@cworth.org"  # the most frequent sender
        assert book.owner == "cworth@cworth.org"
        again = import_mail(book, REAL / "maildir" / "notmuch_default")
        assert (again.added, again.ignored) == (0, summary.added + summary.ignored)


def test_lkml_thread_is_all_list_mail(tmp_path: Path) -> None:
    facts = FACTS["maildir/notmuch_lkml/"]
    folder = tmp_path / "lkml"
    shutil.copytree(REAL / "maildir" / "notmuch_lkml", folder)
    (folder / "new").mkdir()
    (folder / "tmp").mkdir()
    with _book() as book:
        summary = import_mail(book, folder)
    assert summary.rows_read == facts["messages"] == 30
    assert summary.skipped == facts["precedence_bulk_or_list"] == 30
    assert summary.added == 0


def test_pipermail_dates_need_a_zone() -> None:
    path = REAL / "mbox" / "bigbang_pipermail_2001-November_first40.mbox"
    with _book() as book:
        with pytest.raises(ImportFileError, match=r"first40\.mbox:\d+: Date without a time zone"):
            import_mail(book, path)
        assert book.people() == []
        summary = import_mail(book, path, timezone="America/Los_Angeles")
    assert (
        summary.rows_read == FACTS["mbox/bigbang_pipermail_2001-November_first40.mbox"]["messages"]
    )
    # pipermail archives keep no To: every post went to the list
    assert summary.skipped_by_reason == {"no recipient besides the sender": 40}


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        (
            "mikelmail_raw_email_with_bad_date.eml",
            21,
            "unreadable Date 'Pn, 29 paX 2007 21:13:00 +0100'",
        ),
        ("mikelmail_bad_date_header2.eml", None, "hour must be in 0..23"),
        ("mikelmail_raw_email_bad_time.eml", None, "between the years 1000 and 2999"),
    ],
)
def test_odd_dates_are_errors_naming_the_line(name: str, line: int | None, reason: str) -> None:
    path = REAL / "eml" / name
    with _book() as book:
        with pytest.raises(ImportFileError) as caught:
            import_mail(book, path)
        assert reason in str(caught.value)
        assert str(caught.value).startswith(f"{path}:")
        if line is not None:
            assert caught.value.line == line
        skipped = import_mail(book, path, skip_invalid=True)
        assert (skipped.rows_read, skipped.skipped, skipped.added) == (1, 1, 0)


def test_obsolete_zones_and_empty_address_parts() -> None:
    with _book() as book:
        summary = import_mail(book, REAL / "eml" / "mikelmail_weird_to_header.eml")
        assert summary.added == 1
        [touch] = book.timeline(summary.owner)
        assert touch.occurred_at.isoformat() == "2010-10-15T03:25:06+00:00"  # -0400
    with _book() as book:
        summary = import_mail(book, REAL / "eml" / "mikelmail_content_transfer_encoding_7-bit.eml")
        assert summary.added == 1  # MST is -0700


MBOX = """\
From a@x Mon Jan  1 00:00:00 2024
From: "Doe, Jane" <Jane.Doe@Gmail.com>
To: Bob <bob@example.org>, "Smith, Al" <al@example.org>
Date: Mon, 1 Jan 2024 10:00:00 +0100
Message-ID: <m1@x>
Subject: hello

Hi Bob,
From the body: not a new message (no empty line before it).

From b@x Mon Jan  1 00:00:00 2024
From: bob@example.org
To: janedoe@gmail.com
Date: Mon, 1 Jan 2024 11:00:00 +0000
Message-ID: <m2@x>
In-Reply-To: <m1@x>

>From escaped: a body line

From r@x Tue Jan  2 00:00:00 2024
From: =?utf-8?q?Ren=C3=A9e_Ng?= <renee@work.example>
To: bob@example.org
Date: 2 Jan 2024 09:00:00 GMT
Message-ID: <m3@x>

From c@x Mon Jan  1 00:00:00 2024
From: News <news@shop.example>
To: jane.doe@gmail.com
Date: Tue, 2 Jan 2024 09:00:00 +0000
List-Unsubscribe: <mailto:u@shop.example>

From d@x Mon Jan  1 00:00:00 2024
From: noreply@bank.example
To: jane.doe@gmail.com
Date: Tue, 2 Jan 2024 09:00:00 +0000

From e@x Mon Jan  1 00:00:00 2024
From: renee@work.example
To: renee@home.example
Date: Wed, 3 Jan 2024 09:00:00 +0000
Message-ID: <m5@x>
"""


def test_a_hand_made_mbox(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    path.write_text(MBOX)
    with _book() as book:
        summary = import_mail(book, path, me=["renee@work.example", "Renee@Home.example"])
        assert summary.rows_read == 6  # "From the body" follows no empty line
        assert summary.skipped_by_reason == {
            "bulk mail (List-Unsubscribe)": 1,
            "bulk mail (a no-reply sender)": 1,
            "a message to oneself": 1,
        }
        assert summary.added == 3
        assert summary.owner == "renee@work.example"
        # Gmail ignores dots: the reply to janedoe@ is to the same person
        assert book.people() == [
            "al@example.org",
            "bob@example.org",
            "janedoe@gmail.com",
            "renee@work.example",
        ]
        owner = book.person("renee@home.example")  # the owner's second address
        assert (owner.key, owner.name) == ("renee@work.example", "Renée Ng")
        assert book.person("jane.doe@gmail.com").name == "Doe, Jane"
        assert book.person("al@example.org").name == "Smith, Al"
        view = book.pair("janedoe@gmail.com", "bob@example.org", "2024-02-01T00:00:00Z")
        # the reply, two hours on, is a conversation touch from the other side
        assert (view.reciprocity.a_to_b, view.reciprocity.b_to_a) == (1, 1)
        assert view.depth.level_name not in ("inch_deep", "one_way")


TAKEOUT = """\
From 1790000000000000001@xxx Mon Jan 15 10:00:00 +0000 2024
X-GM-THRID: 1790000000000000001
X-Gmail-Labels: Sent,Opened
From: Me <me@gmail.com>
To: Ann <ann@example.org>
Date: Mon, 15 Jan 2024 10:00:00 +0000
Message-ID: <sent-1@mail.gmail.com>

sent and received

From 1790000000000000002@xxx Mon Jan 15 11:00:00 +0000 2024
X-Gmail-Labels: Drafts
From: Me <me@gmail.com>
To: Bob <bob@example.org>
Date: Mon, 15 Jan 2024 11:00:00 +0000
Message-ID: <draft-1@mail.gmail.com>

never sent

From 1790000000000000003@xxx Mon Jan 15 12:00:00 +0000 2024
X-Gmail-Labels: Spam,Category Promotions,Unread
From: Prize <win@prize.example>
To: me@gmail.com
Date: Mon, 15 Jan 2024 12:00:00 +0000
Message-ID: <spam-1@prize.example>

you won

From 1790000000000000004@xxx Mon Jan 15 13:00:00 +0000 2024
X-Gmail-Labels: Trash,Opened
From: Cy <cy@example.org>
To: me@gmail.com
Date: Mon, 15 Jan 2024 13:00:00 +0000
Message-ID: <trash-1@example.org>

deleted

From - Mon Jan 15 14:00:00 2024
X-Mozilla-Draft-Info: internal/draft; vcard=0; receipt=0
From: Me <me@gmail.com>
To: Dee <dee@example.org>
Date: Mon, 15 Jan 2024 14:00:00 +0000
Message-ID: <tb-draft@example.org>

a Thunderbird draft
"""


def test_drafts_spam_and_trash_are_no_touches(tmp_path: Path) -> None:
    """Gmail Takeout's "All mail Including Spam and Trash" holds them, labelled."""
    path = tmp_path / "All mail Including Spam and Trash.mbox"
    path.write_text(TAKEOUT)
    with _book() as book:
        summary = import_mail(book, path, me="me@gmail.com")
        assert (summary.rows_read, summary.added) == (5, 1) and summary.balanced
        assert summary.skipped_by_reason == {
            "a draft (X-Gmail-Labels: Drafts)": 1,
            "spam (X-Gmail-Labels: Spam)": 1,
            "in the trash (X-Gmail-Labels: Trash)": 1,
            "a draft (X-Mozilla-Draft-Info)": 1,
        }
        assert book.people() == ["ann@example.org", "me@gmail.com"]
