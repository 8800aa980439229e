"""A synthetic mailbox with the shape of a real one (``make bench``: test_mail.py).

Shape taken from the real mail in tests/fixtures/real (notmuch's corpus, mikel/mail's
samples): each message has the headers a mail client stores (Return-Path, a few
Received lines, From, To, sometimes Cc, Date with a zone, Message-ID, Subject, MIME
headers; replies add In-Reply-To and References; list mail adds List-Id and
List-Unsubscribe) and a body of 0.5-4 KB; senders and recipients follow a Zipf law over
2,000 correspondents; the owner (two addresses) writes 30% of the messages; 20% are
replies, 15% have a Cc, 10% are list mail; ten years, in time order.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

OWNER = ("me@home.example", "me.work@corp.example")
PEOPLE = 2_000


def write_mbox(path: Path, messages: int, *, seed: int = 7) -> Path:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(PEOPLE)]
    people = [f"person{n}@{('corp', 'mail', 'uni')[n % 3]}.example" for n in range(PEOPLE)]
    names = [f"Person {n} Surname{n % 97}" for n in range(PEOPLE)]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    step = timedelta(days=3652) / messages
    body = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 70).encode()
    ids: list[str] = []
    with path.open("wb") as out:
        for n in range(messages):
            when = start + step * n
            others = rng.choices(range(PEOPLE), weights, k=3)
            mine = rng.random() < 0.3
            sender = rng.choice(OWNER) if mine else people[others[0]]
            shown = "Me Myself" if mine else names[others[0]]
            to = people[others[1]] if mine else rng.choice(OWNER)
            identity = f"<{n}.{rng.getrandbits(40):x}@mail.example>"
            lines = [
                f"From {sender} {when:%a %b %d %H:%M:%S %Y}",
                f"Return-Path: <{sender}>",
                *(
                    f"Received: from mx{i}.example (mx{i}.example [10.0.0.{i}])\n"
                    f"\tby mail.example with ESMTP id {rng.getrandbits(32):x}; "
                    f"{format_datetime(when)}"
                    for i in range(3)
                ),
                f'From: "{shown}" <{sender}>',
                f"To: {to}",
                f"Date: {format_datetime(when)}",
                f"Message-ID: {identity}",
                f"Subject: message {n} about things",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
            ]
            if rng.random() < 0.15:
                lines.append(f"Cc: {names[others[2]]} <{people[others[2]]}>")
            if ids and rng.random() < 0.2:
                parent = rng.choice(ids[-50:])
                lines += [f"In-Reply-To: {parent}", f"References: {parent}"]
            if rng.random() < 0.1:
                lines += ["List-Id: <news.list.example>", "List-Unsubscribe: <mailto:u@x>"]
            ids.append(identity)
            out.write("\n".join(lines).encode() + b"\n\n")
            out.write(body[: rng.randint(500, 4000)] + b"\n\n")
    return path
