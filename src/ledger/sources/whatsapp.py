"""WhatsApp "Export chat" text files, in every layout phones write.

A line starting with a timestamp starts an entry: iOS ``[date, time] name: text``
(also ``[time, date]``, without the comma, dots in the time, a Buddhist-era year
``2565 BE``, Arabic ``،`` and right-to-left marks), Android ``date, time - name: text``
(``/``, ``.`` or ``-`` in the date, the comma optional). Times are 24 h or 12 h (``PM``,
``p. m.``, a narrow no-break space before it). Every other line continues the entry
before it (multi-line messages, captions). U+200E/U+200F marks and byte-order marks,
which phones scatter before and inside timestamps, are ignored.

* **Day and month** are inferred per file: a first field above 12 means day first, a
  second one above 12 month first; when no date tells, the order in which the file's
  dates run forward most often (exports are written in time order) decides.
* **Messages** (media placeholders, attachments and deleted messages too: they were
  sent) become ONE ``message`` touchpoint from the sender to every other member of the
  chat: the people who wrote in it, and the owner (``me``: the name or phone the
  export shows for you). The engine weighs a group message 1/(n-1) per pair and groups
  a burst of messages into one conversation session.
* **System lines** (no ``name: `` after the timestamp; on iOS also a notice the phone
  writes as the chat's own message, marked with U+200E: encryption, security codes,
  members added, left ...) are skipped and counted, as is a message with no other
  member known (a chat where only one person wrote: give ``me``).
* **People** are keyed by their phone number in E.164 when the sender is one
  (``+91 98450 12345`` -> ``+919845012345``, a ``phone`` identifier), else by the name
  the export shows (contacts' names as saved on the phone).
* **Times** have no zone: ``timezone`` (default UTC), like the other exports.

Refs: a digest of time, sender and text, ``#n`` among identical ones; source
``whatsapp``. A newer export of the same chat adds only what is new, as long as the
members stay the same (the members are part of each touchpoint).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

import attrs

from ledger.api import Ledger
from ledger.errors import InvalidInputError, quote
from ledger.facts.identifiers import phone
from ledger.facts.kinds import Kind
from ledger.facts.time import check_moment
from ledger.facts.values import Touch
from ledger.sources import _write
from ledger.sources._keys import name as clean_name
from ledger.sources._refs import digest
from ledger.sources._rows import ImportFileError, Progress, read_text
from ledger.sources._summary import ImportSummary, Tally, summarize
from ledger.sources._times import zone

__all__ = ["WHATSAPP_SOURCE", "import_whatsapp"]

WHATSAPP_SOURCE = "whatsapp"
_MARKS = "\u200e\u200f\ufeff"
_START = re.compile(
    rf"^[{_MARKS}]*(?:\[(?P<ios>[^\]]{{6,40}})\] "
    r"|(?P<android>\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
    r"(?:[\u202f\u00a0 ]?[aApP]\.? ?[mM]\.?)?) - )(?P<rest>.*)$",
    re.S,
)
_DATE = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[\u202f\u00a0 ]?([aApP])\.? ?[mM]\.?)?")
_IOS_SYSTEM = re.compile(
    r"end-to-end encrypt|security code|created group|changed the (group|subject)|"
    r"changed this group|Messages to this|\b(added|removed|left|joined)\b|now an admin|"
    r"changed their phone|were added"
)
_PLACEHOLDER = re.compile(r"omitted$|^<Media|<attached: |deleted", re.IGNORECASE)
_PHONE = re.compile(r"^\+[\d\s\u00a0().-]{6,}$")


@attrs.frozen
class _Entry:
    line: int
    stamp: str
    sender: str | None
    text: str


def import_whatsapp(
    book: Ledger,
    path: str | Path,
    *,
    me: str | None = None,
    timezone: str = "UTC",
    region: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import one exported chat; all of it or, on an error, none."""
    tz = zone(timezone)
    tally = Tally(skip_invalid)
    entries = _entries(path, read_text(path))
    day_first = _day_first([e.stamp for e in entries])
    names: dict[str, str] = {}
    messages: list[tuple[_Entry, str, datetime]] = []
    for entry in entries:
        tally.rows_read += 1
        if entry.sender is None:
            tally.ignorable("system line")
            continue
        try:
            when = _moment(entry.stamp, day_first, tz)
            key = _person(entry.sender, region, names)
        except InvalidInputError as error:
            tally.invalid(
                path, entry.line, error.reason if hasattr(error, "reason") else str(error)
            )
            continue
        messages.append((entry, key, when))
    owner = _person(me, region, names) if me else None
    members = sorted({key for _, key, _ in messages} | ({owner} if owner else set()))
    touches = []
    counts: dict[str, int] = {}
    for entry, key, when in messages:
        others = tuple(m for m in members if m != key)
        if not others:
            tally.ignorable("no other member of the chat known (give --me)")
            continue
        base = digest(when, key, entry.text)
        counts[base] = counts.get(base, 0) + 1
        ref = f"{base}#{counts[base]}"
        touches.append(Touch(Kind.MESSAGE, key, others, when, None, WHATSAPP_SOURCE, ref))
    people = [
        _write.Person(
            key, names.get(key), identifiers=(("phone", key),) if key.startswith("+") else ()
        )
        for key in members
    ]
    written = _write.write(
        book,
        touches,
        people=people,
        owner=owner,
        progress=progress,
        allow_forgotten=allow_forgotten,
    )
    return summarize(WHATSAPP_SOURCE, tally, written, owner=owner)


def _entries(path: str | Path, text: str) -> list[_Entry]:
    entries: list[_Entry] = []
    parts: list[str] = []
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", text), 1):
        found = _START.match(raw)
        if found is None:
            if entries or parts:
                parts.append(raw)
                continue
            if not raw.strip(_MARKS + " "):
                continue
            raise ImportFileError(path, number, f"not a WhatsApp chat line: {quote(raw)}")
        if entries:
            entries[-1] = attrs.evolve(entries[-1], text="\n".join([entries[-1].text, *parts]))
        parts = []
        stamp = found.group("ios") or found.group("android")
        entries.append(_entry(number, stamp, found.group("rest"), bool(found.group("ios"))))
    if entries and parts:
        entries[-1] = attrs.evolve(entries[-1], text="\n".join([entries[-1].text, *parts]))
    return entries


def _entry(line: int, stamp: str, rest: str, ios: bool) -> _Entry:
    sender, colon, body = rest.partition(": ")
    if not colon:
        return _Entry(line, stamp, None, rest)
    notice = ios and body[:1] in "\u200e\u200f" and bool(_IOS_SYSTEM.search(body))
    if notice and not _PLACEHOLDER.search(body.strip(_MARKS + " ")):
        return _Entry(line, stamp, None, rest)  # a notice written as the chat's message
    return _Entry(line, stamp, sender.strip(_MARKS + " "), body)


def _fields(stamp: str) -> tuple[tuple[int, int, int], tuple[int, int, int, str], bool]:
    text = "".join(c for c in stamp if c not in _MARKS).replace("\u060c", ",")
    buddhist = " BE" in text
    date = _DATE.search(text)
    moment = _TIME.search(_DATE.sub(" ", text, count=1))
    if date is None or moment is None:
        raise InvalidInputError("timestamp", stamp, "not a date and time")
    hour, minute, second, half = moment.groups()
    return (
        (int(date.group(1)), int(date.group(2)), int(date.group(3))),
        (int(hour), int(minute), int(second or 0), (half or "").lower()),
        buddhist,
    )


def _day_first(stamps: Sequence[str]) -> bool:
    """Whether the file writes the day before the month (see the module docs)."""
    pairs = []
    for stamp in stamps:
        try:
            (a, b, _), _, _ = _fields(stamp)
        except InvalidInputError:
            continue
        if a <= 31 and b <= 31 and a < 1000:
            pairs.append((a, b))
    if any(a > 12 for a, _ in pairs):
        return True
    if any(b > 12 for _, b in pairs):
        return False
    backwards = {True: 0, False: 0}
    for first in (True, False):
        ordered = [(b, a) if first else (a, b) for a, b in pairs]
        backwards[first] = sum(1 for x, y in itertools.pairwise(ordered) if y < x)
    return backwards[True] <= backwards[False]


def _moment(stamp: str, day_first: bool, tz: tzinfo) -> datetime:
    (a, b, c), (hour, minute, second, half), buddhist = _fields(stamp)
    if a >= 1000:
        year, month, day = a, b, c
    else:
        day, month = (a, b) if day_first else (b, a)
        year = c + 2000 if c < 100 else c
    if buddhist:
        year -= 543
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    try:
        return check_moment(datetime(year, month, day, hour, minute, second, tzinfo=tz), "time")
    except ValueError as error:
        raise InvalidInputError("timestamp", stamp, str(getattr(error, "reason", error))) from None


def _person(shown: str, region: str | None, names: dict[str, str]) -> str:
    """A sender's key: their phone in E.164 when the export shows a number, else the
    name (cleaned: balanced direction marks around numbers removed)."""
    text = clean_name(shown, "sender")
    if not text:
        raise InvalidInputError("sender", shown, "empty sender")
    key = text
    if _PHONE.match(text):
        try:
            key = phone(text, region)
        except InvalidInputError:
            key = text
    names.setdefault(key, text)
    return key
