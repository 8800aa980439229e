"""LinkedIn data exports: connections, messages, invitations, endorsements, recommendations.

Point :func:`import_linkedin` at the export as LinkedIn delivers it (the ``.zip``) or at
the folder it unzips to. Every header version seen in real exports (2018 to 2026, see
``docs/importers.md``) is understood; files that are absent are simply not imported.

Mapping (the exporting person is the ledger's *owner*, see :mod:`._linkedin_owner`):

* ``Connections.csv`` → ``connection_accepted`` between the owner and the person at
  *Connected On*, initiated by whoever accepted (known from ``Invitations.csv``; the
  owner otherwise); the person's *Company*/*Position* become ``org``/``title`` as of
  the export (the date in its name, or the latest time in it): that is when they held
  them, not when the two connected. Rows with no name (deleted members) are skipped
  and counted.
* ``messages.csv`` (``Messages.csv`` in 2018) → one ``message`` from *FROM* to every
  recipient in *TO*; the conversation title (or subject) is the note. Drafts, and
  messages from or only to an anonymous ``LinkedIn Member`` or a deleted account, are
  skipped and counted.
* ``Invitations.csv`` → ``connection_requested`` from *From* to *To*; ``personalized``
  when a message was attached.
* ``Endorsement_Received_Info.csv`` → ``endorsement`` from the endorser to the owner,
  the skill as the note.
* ``Recommendations_Received.csv`` → ``recommendation`` from the recommender to the
  owner; their company/job title as of then.
* ``Profile.csv`` and ``Email Addresses.csv`` say who the owner is.

People are keyed by profile URL where the export has one (see :mod:`._linkedin_people`),
and given that URL (``url``) and the addresses the export shows for them (``email``) as
identifiers.
The source is ``linkedin`` for every export of every account: refs hold the people a
fact is between, so overlapping exports of one account add only what is new, and two
owners' exports in one ledger keep each owner's connections.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, time, tzinfo
from pathlib import Path

from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.identifiers import email, profile_url
from ledger.facts.values import Touch
from ledger.sources import _write
from ledger.sources._keys import address
from ledger.sources._linkedin_files import ExportFiles, find_export
from ledger.sources._linkedin_owner import find_owner, learn
from ledger.sources._linkedin_people import People
from ledger.sources._linkedin_rows import Reading, Record, read_sheets
from ledger.sources._refs import numbered
from ledger.sources._rows import Progress
from ledger.sources._summary import ImportSummary, Tally, summarize
from ledger.sources._times import zone

__all__ = ["LINKEDIN_SOURCE", "import_linkedin"]

LINKEDIN_SOURCE = "linkedin"


def import_linkedin(
    book: Ledger,
    folder: str | Path,
    *,
    owner: str | None = None,
    source: str = LINKEDIN_SOURCE,
    timezone: str = "UTC",
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import a LinkedIn export (its .zip or folder); all of it or nothing.

    ``owner`` is the exporting person's name or profile URL (default: found in the
    export); ``timezone`` the account's zone, for the export's zone-less times.
    """
    files = find_export(folder)
    people = People()
    learn(files, people)
    me, me_name = find_owner(files, people, owner)
    people.adopt_owner(me, me_name, _owner_emails(files))
    tz = zone(timezone)
    reading = Reading(people, tz, Tally(skip_invalid))
    sheets = (files.invitations, files.connections, files.messages)
    read_sheets((*sheets, files.endorsements, files.recommendations), reading)
    if progress is not None:
        progress("read", reading.tally.rows_read, reading.tally.rows_read)
    touches = _touches(reading.records, source)
    written = _write.write(
        book,
        touches,
        people=_people(reading, touches),
        changes=_changes(reading, files, tz),
        allow_forgotten=allow_forgotten,
        owner=me,
        progress=progress,
    )
    return summarize(source, reading.tally, written, owner=me)


def _owner_emails(files: ExportFiles) -> list[str]:
    sheet = files.emails
    if sheet is None:
        return []
    return [found for _, row in sheet.rows() if (found := address(sheet.get(row, "Email Address")))]


def _touches(records: Sequence[Record], source: str) -> list[Touch]:
    refs = numbered((record.base, record.content, record) for record in records)
    return [
        Touch(
            r.kind,
            r.initiator,
            r.counterparts,
            r.moment,
            r.note,
            source,
            ref,
            r.personalized,
        )
        for ref, r in refs
    ]


def _people(reading: Reading, touches: Sequence[Touch]) -> list[_write.Person]:
    """Everyone the touches name, with the display name the export gives them and their
    identifiers: the profile URL their key is, and the e-mail addresses the export shows
    for them (Connections' *Email Address*; the owner's *Email Addresses.csv*), so that
    an address book's card or a mailbox names the same person."""
    found = reading.people
    keys = sorted({person for touch in touches for person in touch.people} | {found.owner})
    emails: dict[str, list[str]] = {}
    for each, key in [*found.emails.items(), *((e, found.owner) for e in found.owner_emails)]:
        with suppress(InvalidInputError):
            emails.setdefault(key, []).append(email(each))
    return [
        _write.Person(key, found.name_of(key), identifiers=_identifiers(key, emails))
        for key in keys
    ]


def _identifiers(key: str, emails: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    pairs = [("email", each) for each in emails.get(key, ())]
    if key.startswith("linkedin:"):
        slug = key.removeprefix("linkedin:")
        with suppress(InvalidInputError):
            url = profile_url(f"linkedin.com/{slug if slug.startswith('pub/') else 'in/' + slug}")
            pairs.insert(0, ("url", url))
    return tuple(dict.fromkeys(pairs))


def _changes(reading: Reading, files: ExportFiles, tz: tzinfo) -> list[_write.Change]:
    """Company and position: Connections' as of the export, Recommendations' as of
    when they were written."""
    export_at = _export_time(reading, files, tz)
    changes = [_write.Change(key, since, job) for key, since, job in reading.past_jobs]
    if export_at is not None:
        changes.extend(_write.Change(key, export_at, job) for key, job in reading.jobs.items())
    return changes


def _export_time(reading: Reading, files: ExportFiles, tz: tzinfo) -> datetime | None:
    """When the export was made: the latest time in it, or the date in its name
    (``..._LinkedInDataExport_12-16-2024``) when that is later. A file's modification
    time is not used: copies and git checkouts reset it."""
    named = datetime.combine(files.named_date, time(), tz) if files.named_date else None
    found = [moment for moment in (reading.latest, named) if moment is not None]
    return max(found) if found else None
