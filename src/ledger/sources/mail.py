"""E-mail: an mbox file (Gmail Takeout's included), a Maildir, a folder of ``.eml`` files.

Each message becomes ONE ``email`` touchpoint from its sender (From) to its recipients
(To and Cc; Bcc is not in most copies and not read), at its Date. Only the headers are
read (bodies are skipped unparsed: that is what makes a 100k-message mailbox quick).

* **People.** Every address is an ``email`` identifier (normalised by
  :func:`ledger.facts.identifiers.email`: lower case, and Gmail's dots and tags dropped)
  and the person's key; a display name (RFC 2047 encoded words decoded, quoted names with
  commas kept whole) names someone first seen here. An address the validator refuses
  (``k..allen@enron.com``) is keyed lower-cased, without an identifier.
* **The owner** is ``me`` (several addresses: all are the owner, keyed by the first and
  named by a display name on any of them; a message among them only is "a message to
  oneself", skipped and counted), else inferred: the most frequent sender, reported in
  the summary.
* **Replies.** A reply (In-Reply-To or References naming a message of the other side)
  is itself a touch from the other side: the folds see an answer and mark the pair's
  exchange two-way, and sessions group a burst of replies into one conversation turn.
  Nothing more is recorded for it.
* **Skipped and counted**: drafts, spam and trash (Gmail Takeout's ``X-Gmail-Labels``
  ``Draft``/``Drafts``, ``Spam``, ``Trash``; Thunderbird's ``X-Mozilla-Draft-Info``),
  bulk mail (List-Unsubscribe, List-Id, Precedence bulk, list
  or junk, Auto-Submitted other than ``no``, a no-reply sender, more than
  ``max_recipients`` recipients: distinct addresses besides the sender, the owner's
  addresses counted once), messages with no recipient but the sender, a Message-ID
  seen before in the same import (the same message in two folders: ``ignored``).
* **Invalid** (a ``FILE:LINE`` error naming the header, or with ``skip_invalid`` a counted
  skip): no From, a From that is not an address, a missing or unreadable Date, a Date
  without a time zone (never guessed: pipermail's ``Thu Nov  1 11:19:12 2001`` needs
  ``timezone``), a time outside the years 1000-2999.

Refs: a digest of the Message-ID (else of sender, date and recipients); source ``mail``.
Pipermail archives write ``sb at ischool.berkeley.edu (Name)``: read as
``sb@ischool.berkeley.edu``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_tz
from pathlib import Path

import attrs

from ledger.api import Ledger
from ledger.errors import InvalidInputError, quote
from ledger.facts.identifiers import email as normal_email
from ledger.facts.kinds import Kind
from ledger.facts.time import check_moment
from ledger.facts.values import Touch
from ledger.sources import _write
from ledger.sources._keys import address, name
from ledger.sources._mail_files import MailMessage, messages
from ledger.sources._refs import digest
from ledger.sources._rows import ImportFileError, Progress
from ledger.sources._summary import ImportSummary, Tally, summarize
from ledger.sources._times import zone

__all__ = ["MAIL_SOURCE", "MAX_RECIPIENTS", "MailMessage", "import_mail", "messages"]

MAIL_SOURCE = "mail"
MAX_RECIPIENTS = 50
"""More recipients than this: a mass mailing, not a conversation."""
_NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?|notifications?)"
    r"([-+._].*)?@",
    re.IGNORECASE,
)
_PIPERMAIL = re.compile(r"^\s*([^\s@<>()]+) at ([^\s@<>()]+\.[^\s@<>()]+)(\s*\(.*\))?\s*$")
_ZONE = re.compile(r"(?:[+-]\d{4}|\b(?:UT|UTC|GMT|Z|[ECMP][SD]T|[A-IK-Z]))\s*(?:\(.*\))?\s*$")
_MSGID = re.compile(r"<[^<>\s]+>")


def import_mail(
    book: Ledger,
    path: str | Path,
    *,
    me: str | Sequence[str] = (),
    source: str | None = None,
    max_recipients: int = MAX_RECIPIENTS,
    timezone: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import a mailbox (mbox, Maildir, a folder of .eml or one .eml); all or nothing.
    ``timezone``: the zone of Dates written without one (pipermail archives); without
    it such a Date is invalid."""
    tally = Tally(skip_invalid)
    owners = _owners(path, me)
    found = _Read(
        tally=tally,
        max_recipients=max_recipients,
        tz=zone(timezone) if timezone else None,
        owners=frozenset(owners),
    )
    for message in messages(path, progress):
        tally.rows_read += 1
        try:
            found.message(message)
        except _Invalid as error:
            tally.invalid(message.path, error.line, error.reason)
    if not owners:
        owners = _inferred(found.senders)
    aliases = set(owners[1:])
    owner = owners[0] if owners else None
    touches = [_owned(t, aliases, owner) for t in found.touches] if aliases else found.touches
    kept = [t for t in touches if t is not None]
    if len(kept) < len(touches):
        tally.skipped["a message to oneself"] += len(touches) - len(kept)
    people = _people(found, owners)
    written = _write.write(
        book, kept, people=people, owner=owner, progress=progress, allow_forgotten=allow_forgotten
    )
    return summarize(source or MAIL_SOURCE, tally, written, owner=owner)


class _Invalid(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


@attrs.define
class _Read:
    tally: Tally
    max_recipients: int
    tz: tzinfo | None
    owners: frozenset[str] = frozenset()
    """Every address ``me`` gives: one recipient however many of them a message has."""
    touches: list[Touch] = attrs.field(factory=list)
    names: dict[str, str] = attrs.field(factory=dict)
    raw: dict[str, str] = attrs.field(factory=dict)  # key -> the address as written
    senders: Counter[str] = attrs.field(factory=Counter)
    parsed: dict[tuple[str, str, bool], list[tuple[str, str]]] = attrs.field(factory=dict)
    seen: set[str] = attrs.field(factory=set)

    def message(self, message: MailMessage) -> None:
        headers = message.headers
        if "from" not in headers:
            raise _Invalid(message.line, "no From header")
        line, raw_from = headers["from"]
        sender = self._parties(raw_from, line, "From")
        if not sender:
            raise _Invalid(line, f"From is not an address: {quote(raw_from)}")
        key = sender[0]
        when = _date(headers, message.line, self.tz)
        unsent = _unsent(headers)
        if unsent is not None:  # no touch at all: nobody received it
            self.tally.ignorable(unsent)
            return
        bulk = _bulk(headers, key)
        recipients: list[str] = []
        for field in ("to", "cc"):
            if field in headers:
                at, value = headers[field]
                recipients.extend(self._parties(value, at, field.capitalize(), lenient=True))
        recipients = [r for r in dict.fromkeys(recipients) if r != key]
        if bulk is None and _counted(recipients, key, self.owners) > self.max_recipients:
            bulk = f"more than {self.max_recipients} recipients"
        identity = _message_id(headers)
        if bulk is not None:
            self.tally.ignorable(f"bulk mail ({bulk})")
            return
        if not recipients:
            self.tally.ignorable("no recipient besides the sender")
            return
        if identity is not None and identity in self.seen:
            self.tally.ignored += 1  # the same message in another folder
            return
        if identity is not None:
            self.seen.add(identity)
        self.senders[key] += 1
        base = identity or digest(key, when, *sorted(recipients))
        self.touches.append(
            Touch(Kind.EMAIL, key, tuple(recipients), when, None, MAIL_SOURCE, digest(base))
        )

    def _parties(self, value: str, line: int, field: str, *, lenient: bool = False) -> list[str]:
        """The address keys of a header, display names noted; a part that is not an
        address is an error in From, and left out elsewhere (``undisclosed``). Header
        values repeat (the owner's address in most To lines): each is read once."""
        cached = self.parsed.get((value, field, lenient))
        if cached is None:
            cached = self.parsed[(value, field, lenient)] = _read_parties(
                value, line, field, lenient
            )
        for key, display in cached:
            if display and key not in self.names:
                self.names[key] = display
        return [key for key, _ in cached]


def _counted(recipients: list[str], sender: str, owners: frozenset[str]) -> int:
    """How many people ``recipients`` are besides the sender, the owner's addresses as one."""
    if not owners:
        return len(recipients)
    people = {"" if r in owners else r for r in recipients}
    people.discard("" if sender in owners else sender)
    return len(people)


def _read_parties(value: str, line: int, field: str, lenient: bool) -> list[tuple[str, str]]:
    text = _decoded(value)
    found: list[tuple[str, str]] = []
    piped = _PIPERMAIL.match(text)
    if piped:
        text = f"{piped.group(1)}@{piped.group(2)}{piped.group(3) or ''}"
    for shown, spec in getaddresses([text]):
        try:
            key = address(spec, field) if spec else None
            display = name(shown, field) if shown else ""
        except InvalidInputError as error:
            raise _Invalid(line, f"{field}: {error.reason} in {quote(value)}") from None
        if key is None:
            if not lenient:
                return []
            continue
        found.append((_normal(key), display if "@" not in display else ""))
    return found


@functools.lru_cache(maxsize=200_000)
def _normal(key: str) -> str:
    """The address as the ledger keys it (normalised; as written if the validator
    refuses it); each distinct address is validated once."""
    try:
        return normal_email(key)
    except InvalidInputError:
        return key


def _decoded(value: str) -> str:
    """A header with RFC 2047 encoded words decoded (also inside quotes, as mailers send
    them); undecodable words are kept as written."""
    if "=?" not in value:
        return value
    unquoted = re.sub(r'"(=\?[^"]*\?=)"', r"\1", value)
    try:
        return str(make_header(decode_header(unquoted)))
    except (UnicodeError, LookupError, ValueError):
        return value


def _date(headers: dict[str, tuple[int, str]], line: int, tz: tzinfo | None) -> datetime:
    if "date" not in headers or not headers["date"][1].strip():
        raise _Invalid(line, "no Date header")
    at, text = headers["date"]
    text = " ".join(text.split())
    parsed = parsedate_tz(text) if text.isascii() and len(text) <= 100 else None
    if parsed is None:
        raise _Invalid(at, f"unreadable Date {quote(text)}")
    zoned = bool(_ZONE.search(text))
    if not zoned and tz is None:
        raise _Invalid(at, f"Date without a time zone {quote(text)}: give --timezone")
    year, month, day, hour, minute, second = parsed[:6]
    try:
        local = datetime(year, month, day, hour, minute, second)
        offset = timezone(timedelta(seconds=parsed[9] or 0))
        moment = local.replace(tzinfo=offset if zoned or tz is None else tz)
        return check_moment(moment, "Date")
    except (ValueError, OverflowError, InvalidInputError) as error:
        reason = getattr(error, "reason", str(error))
        raise _Invalid(at, f"Date {quote(text)}: {reason}") from None


_UNSENT_LABELS = {"spam": "spam", "trash": "in the trash", "draft": "a draft", "drafts": "a draft"}


def _unsent(headers: dict[str, tuple[int, str]]) -> str | None:
    """Why a message of a mailbox export is not a touch: a draft never sent, or spam or
    trash (Gmail Takeout's "All mail Including Spam and Trash" holds them, labelled in
    ``X-Gmail-Labels``; Thunderbird marks drafts with ``X-Mozilla-Draft-Info``)."""
    labels = headers.get("x-gmail-labels", (0, ""))[1]
    for label in (part.strip().casefold() for part in labels.split(",")):
        if label in _UNSENT_LABELS:
            return f"{_UNSENT_LABELS[label]} (X-Gmail-Labels: {label.capitalize()})"
    if "x-mozilla-draft-info" in headers:
        return "a draft (X-Mozilla-Draft-Info)"
    return None


def _bulk(headers: dict[str, tuple[int, str]], sender: str) -> str | None:
    if "list-unsubscribe" in headers:
        return "List-Unsubscribe"
    if "list-id" in headers:
        return "List-Id"
    precedence = headers.get("precedence", (0, ""))[1].strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"Precedence: {precedence}"
    automatic = headers.get("auto-submitted", (0, "no"))[1].strip().lower()
    if automatic and automatic != "no":
        return "Auto-Submitted"
    if _NO_REPLY.match(sender):
        return "a no-reply sender"
    return None


def _message_id(headers: dict[str, tuple[int, str]]) -> str | None:
    found = _MSGID.search(headers.get("message-id", (0, ""))[1])
    return found.group(0).lower() if found else None


def _owners(path: str | Path, me: str | Sequence[str]) -> list[str]:
    given = [me] if isinstance(me, str) else list(me)
    owners: list[str] = []
    for value in given:
        try:
            found = address(value, "me")
        except InvalidInputError:
            found = None
        if found is None:
            raise ImportFileError(path, 0, f"--me must be an e-mail address, got {quote(value)}")
        if _normal(found) not in owners:
            owners.append(_normal(found))
    return owners


def _inferred(senders: Counter[str]) -> list[str]:
    """The most frequent sender (ties: the first in address order)."""
    if not senders:
        return []
    top = max(senders.values())
    return [min(k for k, n in senders.items() if n == top)]


def _owned(touch: Touch, aliases: set[str], owner: str | None) -> Touch | None:
    """``touch`` with every address of the owner written as the owner's key."""
    assert owner is not None
    people = list(dict.fromkeys(owner if p in aliases else p for p in touch.people))
    if len(people) < 2:
        return None
    return attrs.evolve(touch, initiator=people[0], counterparts=tuple(people[1:]))


def _people(found: _Read, owners: list[str]) -> list[_write.Person]:
    keys = sorted({p for t in found.touches for p in t.people} | set(owners[:1]))
    people = []
    for key in keys:
        if key in owners[1:]:
            continue
        pairs: list[tuple[str, str]] = []
        for each in [key, *(owners[1:] if owners and key == owners[0] else [])]:
            if "@" in each and _normal(each) == each and _valid(each):
                pairs.append(("email", each))
        shown = found.names.get(key)
        if shown is None and owners and key == owners[0]:  # a name given another address
            shown = next((found.names[o] for o in owners[1:] if o in found.names), None)
        people.append(_write.Person(key, shown, identifiers=tuple(pairs)))
    return people


def _valid(key: str) -> bool:
    return _normal(key) == key and "@" in key and _checks(key)


@functools.lru_cache(maxsize=200_000)
def _checks(key: str) -> bool:
    try:
        normal_email(key)
    except InvalidInputError:
        return False
    return True
