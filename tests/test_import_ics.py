"""Calendar (.ics) importer: who attended, one touch per occurrence, damaged and real files."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import ledger
from ledger.sources import ImportFileError, import_ics

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
REAL = Path(__file__).parent / "fixtures" / "real" / "ics"
FACTS = json.loads((REAL.parent / "FACTS.json").read_text())
UNTIL = "2025-01-01T00:00:00Z"


def _calendar(*events: str, method: str = "") -> str:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n"
    head += f"METHOD:{method}\r\n" if method else ""
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return head + body.replace("\n", "\r\n").replace("\r\r\n", "\r\n") + "END:VCALENDAR\r\n"


def _event(uid: str, *lines: str, start: str = "20240301T100000Z") -> str:
    return "\n".join([f"UID:{uid}", f"DTSTART:{start}", "DTEND:20240301T110000Z", *lines])


def _write(tmp_path: Path, text: str, name: str = "cal.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_calendar_occurrences_become_meetings_and_video_calls(memory_book: ledger.Ledger) -> None:
    summary = import_ics(
        memory_book, FIXTURES / "calendar.ics", me="Me@example.org", until="2024-02-01T00:00:00Z"
    )
    assert (summary.rows_read, summary.added) == (5, 4) and summary.balanced
    assert summary.skipped_by_reason == {"nobody besides the owner": 1}
    assert summary.owner == "me@example.org" == memory_book.owner
    standups = memory_book.timeline("me@example.org", "bob@example.org")
    assert [t.kind for t in standups] == ["meeting"] * 3
    assert standups[0].duration_seconds == 900
    assert memory_book.person("bob@example.org").name == "Bob Builder"
    call = memory_book.timeline("me@example.org", "cy@example.org")[0]
    assert call.kind == "video_call" and call.counterparts == ("cy@example.org",)
    assert "dan@example.org" not in memory_book.people()  # declined: met nobody
    again = import_ics(
        memory_book, FIXTURES / "calendar.ics", me="me@example.org", until="2024-02-01T00:00:00Z"
    )
    assert (again.added, again.ignored, again.people_added) == (0, 4, 0)


def test_only_attendees_who_attended_met_and_all_of_them_in_one_touch(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    event = _event(
        "team",
        "ORGANIZER;CN=Ann:mailto:ann@x.org",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@x.org",
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Bob:mailto:bob@x.org",
        "ATTENDEE:mailto:cy@x.org",
        "ATTENDEE;PARTSTAT=TENTATIVE:mailto:dan@x.org",
        "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:eve@x.org",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:fay@x.org",
        "ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:room@x.org",
    )
    summary = import_ics(memory_book, _write(tmp_path, _calendar(event)), me="me@x.org")
    assert (summary.rows_read, summary.added) == (1, 1)
    [touch] = memory_book.timeline("ann@x.org")
    assert touch.initiator == "ann@x.org"  # the organizer, who attended
    assert touch.counterparts == ("bob@x.org", "cy@x.org", "me@x.org")
    assert sorted(memory_book.people()) == ["ann@x.org", "bob@x.org", "cy@x.org", "me@x.org"]
    assert summary.left_out_by_reason == {
        "did not accept (PARTSTAT=TENTATIVE)": 1,
        "did not accept (PARTSTAT=NEEDS-ACTION)": 1,
        "did not accept (PARTSTAT=DECLINED)": 1,
        "room, resource or group (CUTYPE=ROOM)": 1,
    }


def test_an_organizer_who_did_not_attend_leaves_the_owner_as_initiator(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    event = _event(
        "x",
        "ORGANIZER:mailto:ann@x.org",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:ann@x.org",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@x.org",
    )
    import_ics(memory_book, _write(tmp_path, _calendar(event)), me="me@x.org")
    [touch] = memory_book.timeline("me@x.org")
    assert (touch.initiator, touch.counterparts) == ("me@x.org", ("bob@x.org",))


@pytest.mark.parametrize("reply", ["TENTATIVE", "NEEDS-ACTION", "DECLINED"])
def test_an_occurrence_the_owner_did_not_accept_is_no_meeting(
    memory_book: ledger.Ledger, tmp_path: Path, reply: str
) -> None:
    event = _event("x", f"ATTENDEE;PARTSTAT={reply}:mailto:me@x.org", "ATTENDEE:mailto:bob@x.org")
    summary = import_ics(memory_book, _write(tmp_path, _calendar(event)), me="me@x.org")
    assert summary.added == 0
    assert summary.skipped_by_reason == {f"not accepted by the owner (PARTSTAT={reply})": 1}


def test_me_takes_several_addresses(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    events = [
        _event("a", "ORGANIZER:mailto:me@home.org", "ATTENDEE:mailto:bob@x.org"),
        _event("b", "ATTENDEE:mailto:Me.Work@Corp.example", "ATTENDEE:mailto:cy@x.org"),
    ]
    path = _write(tmp_path, _calendar(*events))
    summary = import_ics(memory_book, path, me=["me@home.org", "me.work@corp.example"])
    assert summary.added == 2 and summary.owner == "me@home.org"
    assert "me.work@corp.example" not in memory_book.people()
    assert {t.counterparts for t in memory_book.timeline("me@home.org")} == {
        ("bob@x.org",),
        ("cy@x.org",),
    }


def test_an_event_without_dtstart_names_its_line_and_never_blocks_the_rest(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    good = _event("good", "ATTENDEE:mailto:bob@x.org")
    text = _calendar(good, "UID:broken\nATTENDEE:mailto:cy@x.org", good.replace("good", "more"))
    path = _write(tmp_path, text)
    line = text.split("\r\n").index("UID:broken")  # BEGIN:VEVENT is the line before it
    with pytest.raises(ImportFileError, match=rf"cal\.ics:{line}: event without DTSTART"):
        import_ics(memory_book, path, me="me@x.org")
    assert memory_book.people() == []
    summary = import_ics(memory_book, path, me="me@x.org", skip_invalid=True)
    assert (summary.rows_read, summary.added) == (3, 2)
    assert summary.skipped_by_reason == {"event without DTSTART": 1}


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        ("2024XX01T090000Z", "unreadable DTSTART"),
        ("2024\u0660301T100000Z", "DTSTART has non-ASCII characters"),  # read as 0 otherwise
        ("2024\u00b3301T100000Z", "DTSTART has non-ASCII characters"),
    ],
)
def test_bad_times_are_errors_with_the_line(
    memory_book: ledger.Ledger, tmp_path: Path, start: str, reason: str
) -> None:
    path = _write(tmp_path, _calendar(_event("x", "ATTENDEE:mailto:b@x.org", start=start)))
    with pytest.raises(ImportFileError) as caught:
        import_ics(memory_book, path, me="me@x.org")
    assert str(caught.value).startswith(f"{path}:6: ") and reason in str(caught.value)


def test_a_damaged_calendar_is_an_error_with_a_line(memory_book: ledger.Ledger) -> None:
    with pytest.raises(ImportFileError, match=r"damaged\.ics:5: unreadable DTSTART"):
        import_ics(memory_book, FIXTURES / "damaged.ics", me="me@example.org")
    assert memory_book.people() == []


@pytest.mark.parametrize("ending", ["\r", "\n\r", "\n", "\r\n"])
def test_every_line_ending_is_read(memory_book: ledger.Ledger, tmp_path: Path, ending: str) -> None:
    text = (REAL / "khal_partstat.ics").read_text().replace("\n", ending)
    summary = import_ics(memory_book, _write(tmp_path, text), me="me@example.org")
    assert (summary.rows_read, summary.added) == (1, 1)
    [touch] = memory_book.timeline("me@example.org")
    assert touch.counterparts == ("jdoe@example.com", "jqpublic@example.com")


@pytest.mark.parametrize("head", ["", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-JUNK:"])
def test_a_50_mb_line_is_refused_at_once_in_one_short_line(
    memory_book: ledger.Ledger, tmp_path: Path, head: str
) -> None:
    path = _write(tmp_path, head + "x" * 50_000_000 + "\r\nEND:VCALENDAR\r\n")
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        import_ics(memory_book, path, me="me@x.org")
    assert time.perf_counter() - started < 3
    message = str(caught.value)
    assert len(message) < 400 and "\n" not in message
    assert message.startswith(f"{path}:{1 if not head else 3}: ")


def test_a_calendar_cut_mid_line(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    good = _event("good", "ATTENDEE:mailto:bob@x.org")
    text = _calendar(good, good.replace("good", "cut"))
    cut = text[: text.rindex("DTEND") + 9]  # a partial download stops in the last event
    path = _write(tmp_path, cut)
    with pytest.raises(ImportFileError, match=r"the file ends in the middle of this line"):
        import_ics(memory_book, path, me="me@x.org")
    summary = import_ics(memory_book, path, me="me@x.org", skip_invalid=True)
    assert (summary.rows_read, summary.added, summary.skipped) == (2, 1, 1)


def test_not_a_calendar(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    path = _write(tmp_path, "First Name,Last Name\nAnn,Lee\n", "contacts.csv")
    with pytest.raises(ImportFileError, match=r"contacts\.csv:1: not an iCalendar file"):
        import_ics(memory_book, path, me="me@x.org")


# -- real files ------------------------------------------------------------------------------
def _vevents(path: Path) -> list[dict[str, Any]]:
    """Each VEVENT's own properties (not its alarms'), unfolded, with METHOD: written
    here from RFC 5545, independently of the importer."""
    text = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
    logical: list[str] = []
    for line in re.split(r"\r\n|\n|\r", text):
        if line[:1] in (" ", "\t") and logical:
            logical[-1] += line[1:]
        elif line:
            logical.append(line)
    found, stack, method = [], [], ""
    for line in logical:
        # the value starts at the first colon outside a quoted parameter value
        head = re.match(r'(?:[^:"]|"[^"]*")*', line)
        name = head.group() if head else line
        value = line[len(name) + 1 :]
        prop = name.split(";")[0].upper()
        if prop == "BEGIN":
            stack.append(value.upper())
            if stack[-2:] == ["VCALENDAR", "VEVENT"]:
                found.append({"method": method, "props": []})
        elif prop == "END":
            stack.pop()
        elif prop == "METHOD":
            method = value.strip().upper()
        elif stack[-2:] == ["VCALENDAR", "VEVENT"]:
            found[-1]["props"].append((prop, name, value))
    return found


def _partstats(event: dict[str, Any]) -> list[str]:
    stats = []
    for prop, name, _ in event["props"]:
        if prop == "ATTENDEE":
            found = re.search(r";PARTSTAT=\"?([A-Z-]+)", name, re.IGNORECASE)
            stats.append(found.group(1).upper() if found else "")
    return stats


def test_real_partstats_only_accepted_attendees_met(memory_book: ledger.Ledger) -> None:
    path = REAL / "khal_partstat.ics"
    facts = FACTS["ics/khal_partstat.ics"]
    summary = import_ics(memory_book, path, me="me@example.org")
    [touch] = memory_book.timeline("me@example.org")
    accepted = facts["attendees_by_partstat"]["ACCEPTED"]
    assert len(touch.counterparts) == accepted == 2
    assert sum(summary.left_out_by_reason.values()) == facts["attendees"] - accepted


def test_real_itip_folder_replies_and_versions(memory_book: ledger.Ledger) -> None:
    path = REAL / "ical4j_itip_incoming.ics"
    facts = FACTS["ics/ical4j_itip_incoming.ics"]
    replies = sum(1 for m in facts["methods"] if m in ("REPLY", "CANCEL", "COUNTER"))
    summary = import_ics(memory_book, path, me="a@example.com", until=UNTIL)
    assert summary.rows_read == facts["vevents"] and summary.balanced
    skipped_replies = sum(n for r, n in summary.skipped_by_reason.items() if r.startswith("iTIP"))
    assert skipped_replies == replies
    requests = [e for e in _vevents(path) if e["method"] == "REQUEST"]
    uids = {v for e in requests for p, _, v in e["props"] if p == "UID"}
    assert summary.added == len(uids) == 1  # one UID sent three times: its latest version


def test_real_rooms_and_repeated_addresses(memory_book: ledger.Ledger) -> None:
    path = REAL / "rie_subcomponents_redacted.ics"
    summary = import_ics(memory_book, path, me="me@example.org")
    people = {
        value.lower().removeprefix("mailto:")
        for event in _vevents(path)
        for prop, name, value in event["props"]
        if prop in ("ATTENDEE", "ORGANIZER") and "RESOURCE" not in name
    }
    [touch] = memory_book.timeline("me@example.org")
    # six attendees and the organizer, all one redacted address, and the owner
    assert {touch.initiator, *touch.counterparts} == {*people, "me@example.org"}
    assert summary.left_out_by_reason["room, resource or group (CUTYPE=RESOURCE)"] == 2


def test_real_google_birthdays_bad_rdate(memory_book: ledger.Ledger) -> None:
    path = REAL / "icaljs_google_birthday.ics"
    with pytest.raises(ImportFileError, match=r"google_birthday\.ics:12: unreadable RDATE"):
        import_ics(memory_book, path, me="me@example.org")
    summary = import_ics(memory_book, path, me="me@example.org", skip_invalid=True)
    assert summary.added == 0 and summary.balanced  # the attendee is Google's @virtual


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.ics")))
def test_every_real_fixture_imports_balanced_or_refuses_in_one_line(
    memory_book: ledger.Ledger, name: str
) -> None:
    path = REAL / name
    try:
        summary = import_ics(memory_book, path, me="me@example.org", until=UNTIL, skip_invalid=True)
    except ImportFileError as error:
        assert name == "icalendar_lone_cr.ics"  # a fuzz fragment: no VCALENDAR at all
        assert "\n" not in str(error) and len(str(error)) < 400
        return
    assert summary.balanced
    assert (
        import_ics(memory_book, path, me="me@example.org", until=UNTIL, skip_invalid=True).added
        == 0
    )


def _google_counts(path: Path, owner: str) -> Counter[str]:
    """For each non-recurring VEVENT: why it is no meeting, or "meeting"; from the raw
    text and the attendance rule (docs/importers.md), independently of the importer."""
    counts: Counter[str] = Counter()
    for event in _vevents(path):
        props = event["props"]
        if any(p in ("RRULE", "RDATE", "RECURRENCE-ID") for p, _, _ in props):
            counts["recurring"] += 1
            continue
        start = next(v.strip() for p, _, v in props if p == "DTSTART")
        if start[:8] >= UNTIL[:10].replace("-", ""):  # after the window: read, not a meeting
            counts["outside the window"] += 1
            continue
        status = next((v.strip() for p, _, v in props if p == "STATUS"), "")
        attendees = [(n, v.lower().split(":", 1)[-1]) for p, n, v in props if p == "ATTENDEE"]
        organizer = next((v.lower().split(":", 1)[-1] for p, _, v in props if p == "ORGANIZER"), "")
        mine = [n for n, a in attendees if a == owner]
        others = [n for n, a in attendees if a != owner and "calendar.google.com" not in a]
        went = [n for n in others if "PARTSTAT=ACCEPTED" in n or "PARTSTAT" not in n]
        if organizer not in ("", owner) and "calendar.google.com" not in organizer:
            went.append(organizer)
        if status == "TENTATIVE":
            counts["tentative"] += 1
        elif mine and not any("PARTSTAT=ACCEPTED" in n or "PARTSTAT" not in n for n in mine):
            counts["owner did not accept"] += 1
        else:
            counts["meeting" if went else "nobody else" if not others else "nobody accepted"] += 1
    return counts


@pytest.mark.realdata
def test_real_google_export(shared_data: Path, memory_book: ledger.Ledger) -> None:
    path = shared_data / "calendar" / "google_export_issue42.ics"
    counts = _google_counts(path, "gabi@gmail.com")
    recurring = [
        e for e in _vevents(path) if any(p in ("RRULE", "RDATE") for p, _, _ in e["props"])
    ]
    # the export's recurring events have no attendees: each occurrence is nobody else's
    assert not any(p in ("ATTENDEE", "ORGANIZER") for e in recurring for p, _, _ in e["props"])
    summary = import_ics(memory_book, path, me="gabi@gmail.com", since="1900-01-01", until=UNTIL)
    occurrences = summary.rows_read - (len(_vevents(path)) - counts["recurring"])
    assert summary.balanced and summary.added == counts["meeting"]
    assert summary.skipped_by_reason == {
        "event not confirmed (STATUS:TENTATIVE)": counts["tentative"],
        "not accepted by the owner (PARTSTAT=NEEDS-ACTION)": counts["owner did not accept"],
        "no other attendee accepted": counts["nobody accepted"],
        "nobody besides the owner": counts["nobody else"] + occurrences,
        "no occurrence in the import window (a future event, or outside --since/--until)": (
            counts["outside the window"]
        ),
    }
    assert summary.people_added == 1  # the owner: Google exports nobody else's replies
    again = import_ics(memory_book, path, me="gabi@gmail.com", since="1900-01-01", until=UNTIL)
    assert (again.added, again.ignored) == (0, summary.added)


@pytest.mark.realdata
def test_real_public_calendar(shared_data: Path, memory_book: ledger.Ledger) -> None:
    path = shared_data / "calendar" / "machbar_2019.ics"
    summary = import_ics(memory_book, path, me="x@y.z", until=UNTIL)
    # its only attendee is the calendar's own group address: nobody met anyone
    assert summary.balanced and summary.added == 0
    assert set(summary.skipped_by_reason) == {"nobody besides the owner"}


@pytest.mark.parametrize(
    ("event", "line", "reason"),
    [
        (_event("bad", "RRULE:FREQ=SECONDLY"), 4, "more than 1,000 occurrences in the window"),
        (_event("bad", "RRULE:FREQ=FORTNIGHTLY"), 8, "unreadable RRULE"),
        (
            "UID:bad\nDTSTART;TZID=Nowhere/Zone:20240301T100000",
            6,
            "DTSTART names an unknown time zone",
        ),
        ("UID:bad\nDTSTART:20240301T100000Z\nDTEND:20240301T090000Z", 7, "DTEND is before"),
    ],
)
def test_other_fatal_defects_skip_one_event(
    memory_book: ledger.Ledger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event: str,
    line: int,
    reason: str,
) -> None:
    from ledger.sources import calendar

    monkeypatch.setattr(calendar, "MAX_OCCURRENCES", 1_000)  # 100,000 takes seconds
    text = _calendar(f"{event}\nATTENDEE:mailto:b@x.org", _event("ok", "ATTENDEE:mailto:c@x.org"))
    path = _write(tmp_path, text)
    with pytest.raises(ImportFileError) as caught:
        import_ics(memory_book, path, me="me@x.org", until=UNTIL)
    assert str(caught.value).startswith(f"{path}:{line}: ") and reason in str(caught.value)
    summary = import_ics(memory_book, path, me="me@x.org", until=UNTIL, skip_invalid=True)
    assert summary.added == 1 and summary.skipped == 1


def test_a_cancel_in_the_file_cancels_its_event(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    request = _calendar(_event("x", "SEQUENCE:1", "ATTENDEE:mailto:b@x.org"), method="REQUEST")
    cancel = _calendar(_event("x", "SEQUENCE:1", "ATTENDEE:mailto:b@x.org"), method="CANCEL")
    path = _write(tmp_path, request + cancel)
    summary = import_ics(memory_book, path, me="me@x.org")
    assert summary.added == 0 and summary.skipped_by_reason == {
        "cancelled event": 1,
        "iTIP METHOD:CANCEL message, not an event": 1,
    }


def test_an_event_with_no_occurrence_in_the_window_is_read_and_counted(
    memory_book: ledger.Ledger, tmp_path: Path
) -> None:
    attended = "ORGANIZER:mailto:me@example.org\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org"
    far = _event("far", attended, start="99991231T230000Z").replace(
        "DTEND:20240301T110000Z", "DTEND:99991231T235900Z"
    )
    path = _write(tmp_path, _calendar(_event("near", attended), far))
    summary = import_ics(memory_book, path, me="me@example.org")
    assert (summary.rows_read, summary.added) == (2, 1) and summary.balanced
    assert summary.skipped_by_reason == {
        "no occurrence in the import window (a future event, or outside --since/--until)": 1
    }
