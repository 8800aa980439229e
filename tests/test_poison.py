"""Poison is refused at the door: every value is checked before anything is stored.

Each bad value is an :class:`ledger.InvalidInputError` (a ``ValueError``) whose message
names the field and quotes the value, escaped and at most 100 characters long, and the
log is exactly as it was: a value that passed would have been stored for good, and a
time past what the folds can add to would have stopped every later read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ledger
from ledger.facts.time import EARLIEST, LATEST, parse_time, to_micros
from ledger.facts.values import MAX_DURATION_SECONDS, MAX_NOTE

WHEN = "2024-01-01T10:00:00+00:00"
PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))


@pytest.fixture
def book(url: str) -> Iterator[ledger.Ledger]:
    with ledger.open(url) as opened:
        opened.add_person("ann")
        opened.add_person("bob")
        opened.record("message", "ann", "bob", WHEN)
        yield opened


def refused(book: ledger.Ledger, field: str, action: Callable[[], Any]) -> str:
    """Run ``action``: it must fail naming ``field``, quoting briefly, writing nothing."""
    before = book.log_position
    with pytest.raises(ledger.InvalidInputError) as raised:
        action()
    message = str(raised.value)
    assert message.startswith(f"{field}: "), message
    assert isinstance(raised.value, ValueError)
    quoted = re.search(r"\(got '(.*)'\)$", message, re.DOTALL)
    assert quoted is not None, message
    assert len(quoted.group(1).removesuffix("…")) <= 100, message
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in message), repr(message)
    assert book.log_position == before
    return message


# -- times ------------------------------------------------------------------------------------
BAD_TIMES: list[Any] = [
    "9999-12-31T23:59:59+14:00",  # in range as written, not in UTC
    "9999-12-31T23:59:59-14:00",  # past what datetime holds in UTC
    "0001-01-01T00:00:00-14:00",
    "0001-01-01T00:00:00+14:00",
    "3000-01-01T00:00:00+00:00",
    "0999-12-31T23:59:59+00:00",
    datetime(9999, 12, 31, 23, tzinfo=MINUS_14),
    datetime(1, 1, 1, tzinfo=PLUS_14),
    datetime(9999, 12, 31, tzinfo=UTC),
    "@nan",
    "@inf",
    "@-inf",
    "@1e20",
    "@99999999999",
    "@-99999999999",
    "@999999999999.5",
    "@1.2.3",
    "@",
    "@\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",  # Arabic-Indic digits
    "\uff12\uff10\uff12\uff14-01-01T00:00:00+00:00",  # full-width digits
    "2024-01-01T00:00:00\u221205:00",  # a minus sign that is not a hyphen
    "2024-01-01T10:00",  # no zone
    datetime(2024, 1, 1),  # naive
    date(2024, 1, 1),
    1_700_000_000,
    1.7e9,
    None,
    "",
    "yesterday",
    "x" * 5000,
]


@pytest.mark.parametrize("when", BAD_TIMES, ids=lambda v: repr(v)[:40])
def test_a_bad_time_is_refused(book: ledger.Ledger, when: Any) -> None:
    refused(book, "occurred_at", lambda: book.record("message", "ann", "bob", when))
    refused(book, "occurred_at", lambda: ledger.Touch("message", "ann", "bob", when))
    if when is not None:
        refused(book, "since", lambda: book.update_person("ann", since=when, org="X"))
        refused(book, "as_of", lambda: book.pair("ann", "bob", as_of=when))
        refused(book, "as_of", lambda: book.pairs(as_of=when))


@pytest.mark.parametrize(
    "when",
    [
        "1000-01-01T00:00:00+00:00",
        "2999-12-31T23:59:59.999999+00:00",
        "1000-01-01T14:00:00+14:00",
        "@-30610224000",
        "@32503679999.999999",
        "2024-02-29T23:59:59.123456-14:00",
    ],
)
def test_the_edges_of_the_range_are_times(book: ledger.Ledger, when: str) -> None:
    identity = book.record("message", "bob", "ann", when)
    found = book.touchpoint(identity)
    assert found.occurred_at == ledger.Touch("message", "a", "b", when).occurred_at
    assert book.pair("ann", "bob", as_of="2999-12-31T23:59:59+00:00") is not None
    assert book.verify() == [] and book.audit().ok


# -- durations, notes, flags --------------------------------------------------------------------
@pytest.mark.parametrize(
    "seconds", [-1, MAX_DURATION_SECONDS + 1, 10**30, 1.5, 60.0, True, "60", float("nan")]
)
def test_a_bad_duration_is_refused(book: ledger.Ledger, seconds: Any) -> None:
    refused(
        book,
        "duration_seconds",
        lambda: book.record("meeting", "ann", "bob", WHEN, duration_seconds=seconds),
    )


@pytest.mark.parametrize("note", [5, b"bytes", ["a"], "a\x00b", "x" * (MAX_NOTE + 1)])
def test_a_bad_note_is_refused(book: ledger.Ledger, note: Any) -> None:
    refused(book, "note", lambda: book.record("message", "ann", "bob", WHEN, note=note))


@pytest.mark.parametrize("field", ["personalized", "symmetric"])
@pytest.mark.parametrize("value", [1, "yes", None])
def test_a_flag_must_be_a_bool(book: ledger.Ledger, field: str, value: Any) -> None:
    refused(book, field, lambda: book.record("message", "ann", "bob", WHEN, **{field: value}))


def test_a_giver_is_only_for_favors(book: ledger.Ledger) -> None:
    refused(book, "giver", lambda: book.record("message", "ann", "bob", WHEN, giver="initiator"))
    refused(book, "giver", lambda: book.record("favor", "ann", "bob", WHEN, giver="bob"))


# -- keys and text ------------------------------------------------------------------------------
CONTROL = ["ann\x1b[31m", "a\x00", "bob\x7f", "x\x9b", "\u202eann", "ann\u2066", "\u200fa\u202bb"]


@pytest.mark.parametrize("key", CONTROL, ids=repr)
def test_a_key_with_a_control_or_bidi_character_is_refused(book: ledger.Ledger, key: str) -> None:
    message = refused(book, "key", lambda: book.add_person(key))
    assert "U+" in message
    refused(book, "initiator", lambda: book.record("message", key, "bob", WHEN))
    refused(book, "counterparts", lambda: book.record("message", "ann", [key], WHEN))
    refused(book, "source", lambda: book.record("message", "ann", "bob", WHEN, source=key))
    refused(book, "source_ref", lambda: book.record("message", "ann", "bob", WHEN, source_ref=key))
    refused(book, "name", lambda: book.add_person("carl", key))
    refused(book, "org", lambda: book.update_person("ann", org=key))
    refused(book, "tags", lambda: book.update_person("ann", tags=["ok", key]))
    assert book.people() == ["ann", "bob"]


@pytest.mark.parametrize("key", ["", "   ", "\u200b", "\ufeff\u200e"])
def test_an_empty_key_is_refused(book: ledger.Ledger, key: str) -> None:
    refused(book, "key", lambda: book.add_person(key))
    refused(book, "initiator", lambda: book.record("message", key, "bob", WHEN))


def test_a_long_key_is_refused_and_quoted_short(book: ledger.Ledger) -> None:
    message = refused(book, "key", lambda: book.add_person("k" * 1001))
    assert len(message) < 300


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"org": 5}, "org"),
        ({"title": {"a": 1}}, "title"),
        ({"location": ["x"]}, "location"),
        ({"tags": [1, 2]}, "tags"),
        ({"tags": {"a": 1}}, "tags"),
        ({"tags": 3.5}, "tags"),
        ({"age": "41"}, "age"),
    ],
)
def test_attributes_must_be_known_and_text(
    book: ledger.Ledger, changes: dict[str, Any], field: str
) -> None:
    refused(book, field, lambda: book.update_person("ann", **changes))
    refused(book, field, lambda: book.add_person("carl", **changes))


def test_other_writes_check_their_values(book: ledger.Ledger) -> None:
    refused(book, "reason", lambda: book.retract("0" * 32, ""))
    refused(book, "reason", lambda: book.retract("0" * 32, 5))  # type: ignore[arg-type]
    refused(book, "kind", lambda: book.record("poke", "ann", "bob", WHEN))
    refused(book, "counterparts", lambda: book.record("message", "ann", "ann", WHEN))
    refused(book, "counterparts", lambda: book.record("message", "ann", ["bob", "bob"], WHEN))
    refused(book, "counterparts", lambda: book.record("message", "ann", 5, WHEN))  # type: ignore[arg-type]
    refused(book, "counterparts", lambda: book.record("introduction", "ann", ["bob"], WHEN))
    refused(book, "attributes", lambda: book.update_person("ann"))


@pytest.mark.parametrize(
    ("since", "until", "reason", "field"),
    [
        (datetime(1, 1, 1, tzinfo=PLUS_14), "2024-01-01T00:00:00Z", None, "since"),
        ("2024-01-01T00:00:00Z", datetime(9999, 12, 31, tzinfo=MINUS_14), None, "until"),
        (datetime(2024, 1, 1), "2024-02-01T00:00:00Z", None, "since"),
        ("2024-01-01T00:00:00Z", "@nan", None, "until"),
        ("2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z", None, "until"),
        ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", 5, "reason"),
    ],
)
def test_a_bad_snooze_is_refused(
    book: ledger.Ledger, since: Any, until: Any, reason: Any, field: str
) -> None:
    refused(book, field, lambda: book.snooze("ann", "bob", since, until, reason))
    assert book.snoozes() == []
    book.snooze("ann", "bob", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00+01:00", "busy")
    [snoozed] = book.snoozes()
    assert ({snoozed.a, snoozed.b}, snoozed.reason) == ({"ann", "bob"}, "busy")
    assert snoozed.until == datetime(2024, 1, 31, 23, tzinfo=UTC)


def test_a_bad_touch_in_a_batch_leaves_nothing(book: ledger.Ledger) -> None:
    def stream() -> Iterator[ledger.Touch]:
        yield ledger.Touch("message", "ann", "bob", WHEN)
        yield ledger.Touch("message", "ann", "carl", WHEN)
        yield ledger.Touch("message", "ann", "bob", "@nan")

    refused(book, "occurred_at", lambda: book.record_many(stream(), create_people=True))
    assert book.people() == ["ann", "bob"]


# -- what passed the door reads back -------------------------------------------------------------
def test_what_is_stored_always_folds(book: ledger.Ledger) -> None:
    book.record("meeting", "ann", "bob", "1000-01-01T00:00:00+00:00", duration_seconds=60)
    book.record(
        "meeting",
        "bob",
        "ann",
        "2999-12-31T23:59:59.999999+00:00",
        duration_seconds=MAX_DURATION_SECONDS,
        note="\u202e is fine in a note",
    )
    view = book.pair("ann", "bob", as_of="2999-12-31T23:59:59.999999+00:00")
    assert view is not None and view.decay.touches == 3
    assert book.explain("ann", "bob", as_of="1000-01-02T00:00:00+00:00").strength > 0
    assert book.network("2999-12-31T23:59:59+00:00").pairs == 1
    assert book.verify() == [] and book.audit().ok


@given(st.integers(to_micros(EARLIEST), to_micros(LATEST)))
def test_unix_seconds_are_read_to_the_microsecond(micros: int) -> None:
    whole, part = divmod(abs(micros), 1_000_000)
    text = f"@{'-' if micros < 0 else ''}{whole}.{part:06d}"
    exact = EARLIEST + timedelta(microseconds=micros - to_micros(EARLIEST))
    assert parse_time(text) == exact
    assert parse_time(f"{text}499") == exact  # nanoseconds round to the microsecond


# -- the one check every reader of a stored batch goes through ------------------------------

_PEOPLE = ["0" * 31 + "1", "0" * 31 + "2", "0" * 31 + "3"]


def _stored_batch() -> dict[str, Any]:
    """Two rows as the recorder stores them: a message 1 -> 2, a meeting of all three."""
    return {
        "people": list(_PEOPLE),
        "kinds": ["message", "meeting"],
        "sources": ["api"],
        "ids": "ab" * 32,
        "t": [1_700_000_000_000_000, 1_700_000_100_000_000],
        "kind": [0, 1],
        "source": [0, 0],
        "size": [2, 3],
        "who": [0, 1, 0, 1, 2],
        "flags": [1, 4],
        "duration": [None, 3600],
        "notes": [[1, "sealed"]],
    }


def test_a_stored_batch_as_the_recorder_writes_it_is_checked_into_arrays() -> None:
    from ledger.facts._stored import NO_DURATION, checked_columns

    arrays = checked_columns(_stored_batch())
    assert arrays["duration"].tolist() == [NO_DURATION, 3600]
    assert arrays["who"].tolist() == [0, 1, 0, 1, 2]
    assert {a.dtype.name for a in arrays.values()} == {"int64"}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("t", [1, True], None),  # True is an int to numpy: still a time (1970), folded
        ("t", [1.5, 2], "expected whole numbers"),
        ("t", [2**70, 1], "expected whole numbers"),
        ("t", ["1", 2], "expected whole numbers"),
        ("t", [-(10**17), 1], "between the years 1000 and 2999"),
        ("kind", [0, 2], "an index into the batch's kinds"),
        ("kinds", ["message", 7], "not a kind of touchpoint"),
        ("source", [0, -1], "an index into its sources"),
        ("sources", [None], "a source is not text"),
        ("size", [1, 4], "at least two"),
        ("size", [2, 2], "participants"),
        ("who", [0, 0, 0, 1, 2], "names one of its participants twice"),
        ("who", [0, 1, 0, 1, 3], "an index into the batch's people"),
        ("flags", [8, 0], "flags 0 to 7"),
        ("duration", [-5, None], "seconds up to a year"),
        ("duration", [None], "rows, not 2"),
        ("ids", "AB" * 32, "32 hex digits"),
        ("ids", "ab" * 31, "32 hex digits"),
        ("people", [*_PEOPLE[:2], "x" * 32], "person ids"),
        ("notes", [[2, "sealed"]], "is not [row, sealed text]"),
        ("notes", [[0, None]], "is not [row, sealed text]"),
        ("who", None, "is not a list"),
    ],
)
def test_a_stored_batch_that_cannot_be_folded_is_named(
    column: str, value: Any, message: str | None
) -> None:
    from ledger.facts._stored import checked_columns

    batch = _stored_batch() | {column: value}
    if message is None:
        checked_columns(batch)
        return
    with pytest.raises(ValueError, match=re.escape(message)):
        checked_columns(batch)
