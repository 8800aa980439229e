"""LinkedIn data exports: connections, messages, invitations, endorsements, recommendations.

Point :func:`import_linkedin` at the unzipped export folder. Every header version seen
in real exports (2018 to Dec 2024, see ``docs/importers.md``) is understood; files that
are absent are simply not imported.

Mapping (the exporting person is the ledger's *owner*):

* ``Connections.csv`` → ``connection_accepted`` at *Connected On* between the owner and
  the person, initiated by whoever accepted (known from ``Invitations.csv``; the owner
  otherwise); the person's *Company*/*Position* become ``org``/``title`` as of then.
  Rows with no name (deleted members) are skipped and counted.
* ``messages.csv`` (``Messages.csv`` in 2018) → ``message`` from *FROM* to every name in
  *TO*; the conversation id starts the ref so a conversation's messages stay together,
  and its title (or subject) is the note. Drafts, and messages whose other side is an
  anonymous ``LinkedIn Member`` or a deleted account, are skipped and counted.
* ``Invitations.csv`` → ``connection_requested`` from *From* to *To*; ``personalized``
  when a message was attached.
* ``Endorsement_Received_Info.csv`` → ``endorsement`` from the endorser to the owner,
  the skill as the note.
* ``Recommendations_Received.csv`` → ``recommendation`` from the recommender to the
  owner; their company/job title as of then.

Identity: people are keyed by their full name as the export spells it (spaces
normalized), the only identifier present in every file and every export year. The
source is ``linkedin``; a record's ref is ``kind:`` + a short hash of the fields that
define it (people, time, text) + ``#n``, its occurrence among identical records. Times
enter the hash parsed, so an Excel re-save that rewrites date formats changes nothing,
and a newer export that overlaps an older one adds only what is new.

The owner is found in the data: the *From* of OUTGOING invitations (the *To* of
INCOMING ones), else the one name present in every message; ``owner=`` overrides.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import attrs

from ledger.api import Ledger
from ledger.facts.kinds import Kind
from ledger.facts.values import Touch
from ledger.sources._linkedin_files import ExportFiles, Sheet, find_export
from ledger.sources._rows import ImportFileError, Progress
from ledger.sources._summary import ImportSummary, Tally, write_touches
from ledger.sources._times import linkedin_time, zone

__all__ = ["LINKEDIN_SOURCE", "import_linkedin"]

LINKEDIN_SOURCE = "linkedin"
_ANONYMOUS = "linkedin member"


@attrs.frozen
class _Record:
    """One row turned into a touchpoint-to-be, before its ref gets its ``#n``."""

    kind: Kind
    initiator: str
    counterparts: tuple[str, ...]
    occurred_at: datetime
    identity: str
    note: str | None = None
    personalized: bool = False
    group: str = ""


@attrs.frozen
class _AttributeChange:
    key: str
    since: datetime
    changes: dict[str, str]


@attrs.define
class _Import:
    """State shared by the per-file readers of one export."""

    owner: str
    tz: tzinfo
    tally: Tally
    profiles: dict[str, str] = attrs.field(factory=dict)
    records: list[_Record] = attrs.field(factory=list)
    attributes: list[_AttributeChange] = attrs.field(factory=list)
    accepted_by: dict[str, str] = attrs.field(factory=dict)


def import_linkedin(
    book: Ledger,
    folder: str | Path,
    *,
    owner: str | None = None,
    source: str = LINKEDIN_SOURCE,
    timezone: str = "UTC",
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a LinkedIn export folder: all its touchpoints atomically, then attributes.

    ``timezone`` is the account's zone, for the export's zone-less times.
    """
    files = find_export(folder)
    me = _person(owner) if owner else _find_owner(files)
    state = _Import(me, zone(timezone), Tally(skip_invalid))
    state.profiles[me] = _owner_profile(files, me)
    # invitations first: they tell who accepted each connection
    for sheet, read in (
        (files.invitations, _read_invitations),
        (files.connections, _read_connections),
        (files.messages, _read_messages),
        (files.endorsements, _read_endorsements),
        (files.recommendations, _read_recommendations),
    ):
        if sheet is not None:
            read(sheet, state)
    if progress is not None:
        progress("read", state.tally.rows_read, state.tally.rows_read)
    touches = list(_touches(state.records, source))
    summary = write_touches(book, touches, state.tally, source, progress)
    updated = _apply_attributes(book, state.attributes)
    _adopt_owner(book, me)
    return attrs.evolve(summary, attributes_updated=updated, owner=me)


def _adopt_owner(book: Ledger, me: str) -> None:
    """The exporting person becomes the ledger's owner, unless the ledger has one."""
    if book.owner is None and me in book.people():
        book.set_owner(me)


def _person(name: str) -> str:
    return " ".join(name.split())


def _key(state: _Import, name: str, url: str) -> str:
    """The person key for ``name``: the name itself, unless the export already bound the
    name to another profile (a namesake, e.g. of the owner): then ``name (profile)``."""
    profile = _profile(url)
    if not profile or not name:
        return name
    bound = state.profiles.setdefault(name, profile)
    return name if bound in (profile, "") else f"{name} ({profile})"


def _profile(url: str) -> str:
    """``person-x`` from ``https://www.linkedin.com/in/person-x/`` (URNs are not profiles)."""
    _, found, rest = url.strip().partition("/in/")
    return rest.strip("/").split("/")[0].split("?")[0] if found else ""


def _owner_profile(files: ExportFiles, owner: str) -> str:
    sheet = files.invitations
    for _, row in sheet.rows() if sheet else ():
        direction = sheet.get(row, "Direction").upper()  # type: ignore[union-attr]
        side = (
            ("From", "inviterProfileUrl")
            if direction == "OUTGOING"
            else ("To", "inviteeProfileUrl")
        )
        if _person(sheet.get(row, side[0])) == owner:  # type: ignore[union-attr]
            return _profile(sheet.get(row, side[1]))  # type: ignore[union-attr]
    sheet = files.messages
    for _, row in sheet.rows() if sheet else ():
        if _person(sheet.get(row, "From")) == owner:  # type: ignore[union-attr]
            return _profile(sheet.get(row, "Sender Profile Url"))  # type: ignore[union-attr]
    return ""


def _touches(records: Sequence[_Record], source: str) -> Iterator[Touch]:
    seen: Counter[str] = Counter()
    for r in records:
        digest = hashlib.sha1(r.identity.encode(), usedforsecurity=False).hexdigest()[:16]
        content = f"{r.kind.value}:{r.group + ':' if r.group else ''}{digest}"
        seen[content] += 1
        ref = f"{content}#{seen[content]}"
        yield Touch(
            r.kind, r.initiator, r.counterparts, r.occurred_at, r.note, source, ref, r.personalized
        )


def _identity(*parts: object) -> str:
    return "\x1f".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)


# -- the owner -----------------------------------------------------------------------------
def _find_owner(files: ExportFiles) -> str:
    votes: Counter[str] = Counter()
    if files.invitations is not None:
        sheet = files.invitations
        for _, row in sheet.rows():
            direction = sheet.get(row, "Direction").upper()
            if direction in ("OUTGOING", "INCOMING"):
                votes[_person(sheet.get(row, "From" if direction == "OUTGOING" else "To"))] += 1
    if not votes and files.messages is not None:
        votes = _message_participants(files.messages)
    votes.pop("", None)
    if not votes:
        raise ImportFileError(
            files.folder,
            0,
            "cannot tell whose export this is: no invitations or messages; "
            "name the owner (owner=... / --me NAME)",
        )
    return votes.most_common(1)[0][0]


def _message_participants(sheet: Sheet) -> Counter[str]:
    """In how many messages each name takes part: the owner takes part in all."""
    counts: Counter[str] = Counter()
    for _, row in sheet.rows():
        names = {_person(sheet.get(row, "From")), *_names(sheet.get(row, "To"))}
        counts.update(name for name in names if name.lower() != _ANONYMOUS)
    return counts


def _names(cell: str) -> list[str]:
    names: list[str] = []
    for part in cell.split(","):
        name = _person(part)
        if name and name not in names:
            names.append(name)
    return names


# -- files ---------------------------------------------------------------------------------
def _time(sheet: Sheet, line: int, row: Sequence[str], column: str, state: _Import) -> Any:
    text = sheet.get(row, column)
    moment = linkedin_time(text, state.tz) if text.strip() else None
    if moment is None:
        what = "missing" if not text.strip() else f"unreadable ({text!r})"
        state.tally.invalid(sheet.path, line, f"{column} is {what}")
    return moment


def _read_invitations(sheet: Sheet, state: _Import) -> None:
    for line, row in sheet.rows(state.tally):
        sender = _key(state, _person(sheet.get(row, "From")), sheet.get(row, "inviterProfileUrl"))
        invitee = _key(state, _person(sheet.get(row, "To")), sheet.get(row, "inviteeProfileUrl"))
        moment = _time(sheet, line, row, "Sent At", state)
        if moment is None:
            continue
        if not sender or not invitee or sender == invitee:
            state.tally.invalid(sheet.path, line, "an invitation needs two different people")
            continue
        if state.owner in (sender, invitee):
            state.accepted_by[sender if invitee == state.owner else invitee] = invitee
        message = sheet.get(row, "Message").strip()
        state.records.append(
            _Record(
                Kind.CONNECTION_REQUESTED,
                sender,
                (invitee,),
                moment,
                _identity(sender, invitee, moment, message),
                personalized=bool(message),
            )
        )


def _read_connections(sheet: Sheet, state: _Import) -> None:
    for line, row in sheet.rows(state.tally):
        name = _person(f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}")
        name = _key(state, name, sheet.get(row, "URL"))
        if not name:
            state.tally.ignorable("connection with no name (deleted member)")
            continue
        moment = _time(sheet, line, row, "Connected On", state)
        if moment is None:
            continue
        if name == state.owner:
            state.tally.invalid(sheet.path, line, "the owner is listed as their own connection")
            continue
        accepter = state.accepted_by.get(name, state.owner)
        other = name if accepter == state.owner else state.owner
        state.records.append(
            _Record(Kind.CONNECTION_ACCEPTED, accepter, (other,), moment, _identity(name, moment))
        )
        _remember_job(state, name, moment, sheet.get(row, "Company"), sheet.get(row, "Position"))


def _remember_job(state: _Import, key: str, since: datetime, org: str, title: str) -> None:
    changes = {
        field: " ".join(value.split())
        for field, value in (("org", org), ("title", title))
        if value.strip() and value.strip().upper() != "NA"
    }
    if changes:
        state.attributes.append(_AttributeChange(key, since, changes))


def _read_messages(sheet: Sheet, state: _Import) -> None:
    for line, row in sheet.rows(state.tally):
        record = _message(sheet, line, row, state)
        if record is not None:
            state.records.append(record)


def _message(sheet: Sheet, line: int, row: Sequence[str], state: _Import) -> _Record | None:
    if sheet.get(row, "Is Message Draft").strip().lower() == "yes":
        state.tally.ignorable("draft message (never sent)")
        return None
    sender = _key(state, _person(sheet.get(row, "From")), sheet.get(row, "Sender Profile Url"))
    recipients = [name for name in _names(sheet.get(row, "To")) if name != sender]
    urls = sheet.get(row, "Recipient Profile Urls").split(",")
    if len(recipients) == 1 == len(urls):
        recipients = [_key(state, recipients[0], urls[0])]
    if not sender or sender.lower() == _ANONYMOUS:
        state.tally.ignorable("message from an anonymous or deleted member")
        return None
    if not recipients or any(name.lower() == _ANONYMOUS for name in recipients):
        state.tally.ignorable("message to an anonymous or deleted member")
        return None
    moment = _time(sheet, line, row, "Date", state)
    if moment is None:
        return None
    title = _person(sheet.get(row, "Conversation Title") or sheet.get(row, "Subject"))
    content = sheet.get(row, "Content")
    return _Record(
        Kind.MESSAGE,
        sender,
        tuple(recipients),
        moment,
        _identity(sender, ",".join(recipients), moment, content),
        note=title or None,
        group=sheet.get(row, "Conversation ID").strip(),
    )


def _read_endorsements(sheet: Sheet, state: _Import) -> None:
    for line, row in sheet.rows(state.tally):
        first = sheet.get(row, "Endorser First Name")
        endorser = _person(f"{first} {sheet.get(row, 'Endorser Last Name')}")
        endorser = _key(
            state, endorser, "/in/" + sheet.get(row, "Endorser Public Url").partition("/in/")[2]
        )
        moment = _time(sheet, line, row, "Endorsement Date", state)
        if moment is None:
            continue
        if not endorser or endorser == state.owner:
            state.tally.invalid(sheet.path, line, "endorsement without another person's name")
            continue
        skill = _person(sheet.get(row, "Skill Name"))
        state.records.append(
            _Record(
                Kind.ENDORSEMENT,
                endorser,
                (state.owner,),
                moment,
                _identity(endorser, moment, skill),
                note=skill or None,
            )
        )


def _read_recommendations(sheet: Sheet, state: _Import) -> None:
    for line, row in sheet.rows(state.tally):
        # pandas round-trips lose the "First Name" column: use whatever name is left
        name = _person(f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}")
        moment = _time(sheet, line, row, "Creation Date", state)
        if moment is None:
            continue
        if not name or name == state.owner:
            state.tally.invalid(sheet.path, line, "recommendation without another person's name")
            continue
        state.records.append(
            _Record(Kind.RECOMMENDATION, name, (state.owner,), moment, _identity(name, moment))
        )
        _remember_job(state, name, moment, sheet.get(row, "Company"), sheet.get(row, "Job Title"))


# -- attributes ----------------------------------------------------------------------------
def _apply_attributes(book: Ledger, changes: Sequence[_AttributeChange]) -> int:
    """Set company/position as of each date unless already in force: re-imports add nothing.

    Every comparison is read before anything is written, so the views catch up once
    rather than after every update; changes made earlier in this import count as in force.
    """
    ordered = sorted(changes, key=lambda c: (c.since, c.key))
    pending: dict[str, dict[str, str]] = {}
    updates: list[tuple[_AttributeChange, dict[str, str]]] = []
    for change in ordered:
        current = {**book.person(change.key, as_of=change.since).attributes}
        current.update(pending.get(change.key, {}))
        fresh = {f: v for f, v in change.changes.items() if current.get(f) != v}
        if fresh:
            pending.setdefault(change.key, {}).update(fresh)
            updates.append((change, fresh))
    for change, fresh in updates:
        book.update_person(change.key, since=change.since, **fresh)
    return len(updates)
