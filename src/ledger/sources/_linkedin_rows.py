"""The rows of a LinkedIn export as records: invitations, connections, messages,
endorsements, recommendations.

Each reader turns the rows of one file into :class:`Record` objects (touchpoints
before their ``#n``) and notes what it learns about people (display names, company and
position). Bad rows go to the tally: an error naming the file and line, or with
``skip_invalid`` skipped and counted.

Refs (see :mod:`._refs`): ``invitation:``/``connection:``/``endorsement:``/
``recommendation:`` + a digest of the people and the time; a message is
``message:`` + a digest of its conversation id + a digest of its sender and time, so a
conversation's messages share a prefix. Among records with one ref, ``#n`` follows a
digest of their text, not the row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

import attrs

from ledger.errors import InvalidInputError
from ledger.facts.kinds import Kind
from ledger.sources._keys import name
from ledger.sources._linkedin_files import Sheet
from ledger.sources._linkedin_people import ANONYMOUS, People, split_recipients
from ledger.sources._refs import digest
from ledger.sources._rows import ImportFileError
from ledger.sources._summary import Tally
from ledger.sources._times import BadValue, linkedin_time

__all__ = ["Reading", "Record", "read_sheets"]

_NO_VALUE = ("", "NA", "N/A", "NULL")
_AFTER = timedelta(seconds=1)


@attrs.frozen
class Record:
    """One row as a touchpoint to be, and where it came from."""

    kind: Kind
    initiator: str
    counterparts: tuple[str, ...]
    moment: datetime
    base: str
    content: str
    path: str
    line: int
    note: str | None = None
    personalized: bool = False


@attrs.define
class Reading:
    """What the readers share and produce."""

    people: People
    tz: tzinfo
    tally: Tally
    records: list[Record] = attrs.field(factory=list)
    jobs: dict[str, dict[str, str]] = attrs.field(factory=dict)  # key -> org/title now
    past_jobs: list[tuple[str, datetime, dict[str, str]]] = attrs.field(factory=list)
    invited: dict[str, list[tuple[datetime, str]]] = attrs.field(factory=dict)
    latest: datetime | None = None

    def time(self, sheet: Sheet, line: int, row: Sequence[str], column: str) -> datetime | None:
        text = sheet.get(row, column)
        try:
            if not text.strip():
                raise BadValue(f"{column} is missing")
            moment = linkedin_time(text, self.tz, column)
        except BadValue as error:
            self.tally.invalid(sheet.path, line, error.reason)
            return None
        self.latest = moment if self.latest is None else max(self.latest, moment)
        return moment


def read_sheets(sheets: Sequence[Sheet | None], reading: Reading) -> None:
    """Invitations first (they tell who accepted each connection), then the rest."""
    readers = (_invitations, _connections, _messages, _endorsements, _recommendations)
    for sheet, read in zip(sheets, readers, strict=True):
        if sheet is not None:
            for line, row in sheet.rows(reading.tally):
                try:
                    read(sheet, line, row, reading)
                except ImportFileError:
                    raise
                except InvalidInputError as error:  # a name the clean-text rule refuses
                    reading.tally.invalid(sheet.path, line, str(error))


def _invitations(sheet: Sheet, line: int, row: Sequence[str], reading: Reading) -> None:
    people = reading.people
    outgoing = sheet.get(row, "Direction").strip().upper() != "INCOMING"
    sender = people.key(
        sheet.get(row, "From"), sheet.get(row, "inviterProfileUrl"), not_owner=not outgoing
    )
    invitee = people.key(
        sheet.get(row, "To"), sheet.get(row, "inviteeProfileUrl"), not_owner=outgoing
    )
    moment = reading.time(sheet, line, row, "Sent At")
    if moment is None:
        return
    if not sender or not invitee or sender == invitee:
        reading.tally.invalid(sheet.path, line, "an invitation needs two different people")
        return
    if people.owner in (sender, invitee):
        other = invitee if sender == people.owner else sender
        reading.invited.setdefault(other, []).append((moment, sender))
    message = sheet.get(row, "Message").strip()
    reading.records.append(
        Record(
            kind=Kind.CONNECTION_REQUESTED,
            initiator=sender,
            counterparts=(invitee,),
            moment=moment,
            base=f"invitation:{digest(sender, invitee, moment)}",
            content=message,
            personalized=bool(message),
            path=sheet.path,
            line=line,
        )
    )


def _connections(sheet: Sheet, line: int, row: Sequence[str], reading: Reading) -> None:
    people = reading.people
    full = f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}"
    person = people.key(full, sheet.get(row, "URL"), not_owner=True)
    if not person:
        reading.tally.ignorable("connection with no name (deleted member)")
        return
    connected = reading.time(sheet, line, row, "Connected On")
    if connected is None:
        return
    if person == people.owner:
        reading.tally.invalid(sheet.path, line, "the owner is listed as their own connection")
        return
    accepter, moment = _acceptance(reading, person, connected)
    other = person if accepter == people.owner else people.owner
    reading.records.append(
        Record(
            kind=Kind.CONNECTION_ACCEPTED,
            initiator=accepter,
            counterparts=(other,),
            moment=moment,
            base=f"connection:{digest(people.owner, person, connected.date())}",
            content="",
            path=sheet.path,
            line=line,
        )
    )
    job = _job(sheet.get(row, "Company"), sheet.get(row, "Position"))
    if job:
        reading.jobs[person] = job


def _acceptance(reading: Reading, person: str, connected: datetime) -> tuple[str, datetime]:
    """Who accepted, and when: the invitee of the latest invitation between the two
    sent no later than the day of the connection (the owner when none is known).
    Connected On has no time: a connection made the day of its invitation is placed
    a second after it, not at midnight before it."""
    day_end = connected + timedelta(days=1)
    sent = [
        (moment, inviter) for moment, inviter in reading.invited.get(person, ()) if moment < day_end
    ]
    if not sent:
        return reading.people.owner, connected
    moment, inviter = max(sent)
    accepter = person if inviter == reading.people.owner else reading.people.owner
    return accepter, max(connected, moment + _AFTER)


def _job(company: str, position: str) -> dict[str, str]:
    values = {"org": name(company, "Company"), "title": name(position, "Position")}
    return {field: value for field, value in values.items() if value.upper() not in _NO_VALUE}


def _messages(sheet: Sheet, line: int, row: Sequence[str], reading: Reading) -> None:
    if sheet.get(row, "Is Message Draft").strip().lower() == "yes":
        reading.tally.ignorable("draft message (never sent)")
        return
    people = reading.people
    sender_url = sheet.get(row, "Sender Profile Url").strip()
    sender = people.key(sheet.get(row, "From"), sender_url)
    if not sender or (not sender_url and sender.lower() == ANONYMOUS):
        reading.tally.ignorable("message from an anonymous or deleted member")
        return
    recipients = _recipients(sheet, row, people, sender, reading.tally)
    if not recipients:
        reading.tally.ignorable("message to an anonymous or deleted member")
        return
    moment = reading.time(sheet, line, row, "Date")
    if moment is None:
        return
    conversation = sheet.get(row, "Conversation ID").strip()
    group = digest(conversation) if conversation else digest(*recipients)
    title = name(sheet.get(row, "Conversation Title") or sheet.get(row, "Subject"), "title")
    reading.records.append(
        Record(
            kind=Kind.MESSAGE,
            initiator=sender,
            counterparts=tuple(recipients),
            moment=moment,
            base=f"message:{group}:{digest(sender, moment)}",
            content=sheet.get(row, "Content"),
            note=title or None,
            path=sheet.path,
            line=line,
        )
    )


def _recipients(
    sheet: Sheet, row: Sequence[str], people: People, sender: str, tally: Tally
) -> list[str]:
    cell = sheet.get(row, "To")
    urls = [u for u in sheet.get(row, "Recipient Profile Urls").split(",") if u.strip()]
    names = split_recipients(cell, people.known_names())
    if len(urls) == 1:
        pairs = [(cell, urls[0])]
    elif urls and len(urls) == len(names):
        pairs = list(zip(names, urls, strict=True))
    elif urls:
        pairs = [("", url) for url in urls]
    else:
        pairs = [(found, "") for found in names]
    found: list[str] = []
    for who, url in pairs:
        if not url and name(who).lower() == ANONYMOUS:
            tally.left_out["anonymous LinkedIn Member among the recipients"] += 1
            continue
        person = people.key(who, url)
        if person and person != sender and person not in found:
            found.append(person)
    return found


def _endorsements(sheet: Sheet, line: int, row: Sequence[str], reading: Reading) -> None:
    people = reading.people
    full = f"{sheet.get(row, 'Endorser First Name')} {sheet.get(row, 'Endorser Last Name')}"
    url = sheet.get(row, "Endorser Public Url").strip()
    endorser = people.key(full, url)
    moment = reading.time(sheet, line, row, "Endorsement Date")
    if moment is None:
        return
    if not endorser or endorser == people.owner:
        reading.tally.invalid(sheet.path, line, "endorsement without another person's name")
        return
    skill = name(sheet.get(row, "Skill Name"), "Skill Name")
    reading.records.append(
        Record(
            kind=Kind.ENDORSEMENT,
            initiator=endorser,
            counterparts=(people.owner,),
            moment=moment,
            base=f"endorsement:{digest(endorser, people.owner, moment, skill)}",
            content=skill,
            note=skill or None,
            path=sheet.path,
            line=line,
        )
    )


def _recommendations(sheet: Sheet, line: int, row: Sequence[str], reading: Reading) -> None:
    # pandas round-trips lose the "First Name" column: use whatever name is left
    people = reading.people
    full = f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}"
    recommender = people.key(full, not_owner=True)
    moment = reading.time(sheet, line, row, "Creation Date")
    if moment is None:
        return
    if not recommender or recommender == people.owner:
        reading.tally.invalid(sheet.path, line, "recommendation without another person's name")
        return
    reading.records.append(
        Record(
            kind=Kind.RECOMMENDATION,
            initiator=recommender,
            counterparts=(people.owner,),
            moment=moment,
            base=f"recommendation:{digest(recommender, people.owner, moment)}",
            content=sheet.get(row, "Text"),
            path=sheet.path,
            line=line,
        )
    )
    # What the recommender did when they wrote it, as LinkedIn shows it with the text.
    job = _job(sheet.get(row, "Company"), sheet.get(row, "Job Title"))
    if job:
        reading.past_jobs.append((recommender, moment, job))
