"""Who met at a calendar event: the attendance rule.

An event's people are its ORGANIZER and ATTENDEEs that are individuals with an e-mail
address. Of those, only people who attended met:

* an attendee with ``PARTSTAT=ACCEPTED``, or with no PARTSTAT at all (RFC 5545 makes a
  missing PARTSTAT NEEDS-ACTION, but calendars write none for people who did not have
  to reply: the organizer's own entry, plain PUBLISH calendars);
* the organizer, unless an attendee entry of theirs says otherwise;
* the owner (``--me``): the calendar is theirs, unless their own entry says otherwise,
  and then the whole occurrence is skipped ("not accepted by the owner").

``TENTATIVE``, ``NEEDS-ACTION``, ``DECLINED`` and ``DELEGATED`` attendees did not (yet)
meet anyone; nor did ``ROLE=NON-PARTICIPANT`` ones (copied for information), rooms,
resources and groups (``CUTYPE`` other than INDIVIDUAL), or calendar addresses that
are not people (Google's ``*.calendar.google.com`` and the ``@virtual`` address of its
birthdays calendar). They are left out of the touchpoint and counted by reason. One
address named twice attended if any of its entries did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from ledger.sources._keys import address, name

__all__ = ["Attendance", "attendance"]

_NOT_PEOPLE = ("calendar.google.com", "@virtual")
_ATTENDED = ("ACCEPTED", "")


@attrs.frozen
class Attendance:
    """Who took part in one occurrence, and who was left out, by reason."""

    attended: dict[str, str]  # address -> display name
    left_out: list[str]  # why, for each entry (each address) not in the touchpoint
    organizer: str | None
    owner_reply: str  # why the owner did not attend: "PARTSTAT=DECLINED", or "" when they did
    people_left_out: bool  # whether a person (not a room or calendar) was left out


def attendance(event: Any, owners: frozenset[str]) -> Attendance:
    """Apply the rule above to ``event`` (an icalendar component)."""
    replies: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    left_out: list[str] = []
    for attendee in _as_list(event.get("ATTENDEE")):
        found, reply = _person(attendee)
        if found is None:
            left_out.append(reply)
            continue
        replies.setdefault(found, []).append(reply)
        names.setdefault(found, _display(attendee))
    organizer = _organizer(event, names)
    attended = {
        key: names.get(key, "")
        for key, reasons in replies.items()
        if any(reason == "" for reason in reasons)
    }
    refused = {key: reasons[0] for key, reasons in replies.items() if key not in attended}
    owner_reply = next((reply for key, reply in refused.items() if key in owners), "")
    left_out.extend(_why(reply) for key, reply in refused.items() if key not in owners)
    if organizer is not None and organizer not in replies:
        attended[organizer] = names.get(organizer, "")
    return Attendance(attended, left_out, organizer, owner_reply, bool(refused))


def _why(reply: str) -> str:
    if reply == "ROLE=NON-PARTICIPANT":
        return "copied for information (ROLE=NON-PARTICIPANT)"
    return f"did not accept ({reply})"


def _organizer(event: Any, names: dict[str, str]) -> str | None:
    value = event.get("ORGANIZER")
    if value is None:
        return None
    found = address(str(value), "ORGANIZER")
    if found is None or found.endswith(_NOT_PEOPLE):
        return None
    names.setdefault(found, _display(value))
    return found


def _person(attendee: Any) -> tuple[str | None, str]:
    """``(address, "")`` for one who attended, ``(address, "PARTSTAT=...")`` for one
    who did not, ``(None, reason)`` for an entry that is not a person."""
    params = getattr(attendee, "params", {})
    found = address(str(attendee), "ATTENDEE")
    kind = str(params.get("CUTYPE", "INDIVIDUAL")).strip('" ').upper()
    if found is None:
        return None, "attendee without an e-mail address"
    if kind != "INDIVIDUAL":
        return None, f"room, resource or group (CUTYPE={kind})"
    if found.endswith(_NOT_PEOPLE):
        return None, "a calendar's address, not a person's"
    if str(params.get("ROLE", "")).strip('" ').upper() == "NON-PARTICIPANT":
        return found, "ROLE=NON-PARTICIPANT"
    reply = str(params.get("PARTSTAT", "")).strip('" ').upper()
    return found, "" if reply in _ATTENDED else f"PARTSTAT={reply}"


def _display(value: Any) -> str:
    shown = name(str(getattr(value, "params", {}).get("CN", "")), "CN")
    return "" if "@" in shown else shown  # Google writes an address as CN


def _as_list(value: Any) -> Iterable[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
