"""Corrections: a touchpoint recorded in error is retracted, and the corrected one
recorded under the same source reference is a new fact, stored and counted; the same
content again stays what it was. Retracting what is not a stored touchpoint, or twice,
is a clear error that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import ledger
from ledger.store import TOUCH_FACT

T0 = datetime(2024, 3, 1, 9, tzinfo=UTC)
LATER = T0 + timedelta(days=30)


@pytest.fixture
def trio(book: ledger.Ledger) -> ledger.Ledger:
    for key in ("ann", "bob", "cat"):
        book.add_person(key)
    return book


def mail(initiator: str, other: str, when: datetime, **details: object) -> ledger.Touch:
    return ledger.Touch("email", initiator, other, when, source="mail", source_ref="m-1", **details)


def test_a_corrected_touchpoint_under_the_same_reference_is_stored_and_counted(
    trio: ledger.Ledger,
) -> None:
    [wrong] = trio.record_many([mail("ann", "bob", T0)]).touchpoint_ids
    trio.retract(wrong, "it went to cat")
    fixed = trio.record_many([mail("ann", "cat", T0)])
    assert (fixed.added, fixed.ignored) == (1, 0)
    assert fixed.touchpoint_ids[0] != wrong
    view = trio.pair("ann", "cat", as_of=LATER)
    assert view is not None and view.decay.touches == 1
    assert trio.pair("ann", "bob", as_of=LATER) is None
    assert [t.retracted for t in trio.timeline("ann")] == [True, False]
    again = trio.record_many([mail("ann", "cat", T0)])  # the correction, imported again
    assert (again.added, again.ignored) == (0, 1)
    assert trio.verify() == [] and trio.audit().ok


@pytest.mark.parametrize(
    "change",
    [{"occurred_at": T0 + timedelta(minutes=1)}, {"duration_seconds": 60}, {"personalized": True}],
)
def test_any_change_of_content_is_a_correction(
    trio: ledger.Ledger, change: dict[str, object]
) -> None:
    [wrong] = trio.record_many([mail("ann", "bob", T0)]).touchpoint_ids
    trio.retract(wrong, "wrong")
    details = {k: v for k, v in change.items() if k != "occurred_at"}
    when = change.get("occurred_at", T0)
    kind = "call" if "duration_seconds" in change else "email"
    touch = ledger.Touch(
        kind,
        "ann",
        "bob",
        when,
        source="mail",
        source_ref="m-1",
        **details,  # type: ignore[arg-type]
    )
    assert trio.record_many([touch]).added == 1
    assert trio.pair("ann", "bob", as_of=LATER).decay.touches == 1  # type: ignore[union-attr]


def test_the_same_content_again_after_a_retraction_stays_retracted(trio: ledger.Ledger) -> None:
    [wrong] = trio.record_many([mail("ann", "bob", T0)]).touchpoint_ids
    trio.retract(wrong, "never happened")
    before = trio.log_position
    for touch in (mail("ann", "bob", T0), mail("ann", "bob", T0, note="a note is not content")):
        again = trio.record_many([touch])
        assert (again.added, again.ignored, again.touchpoint_ids) == (0, 1, (wrong,))
    assert trio.log_position == before
    assert trio.pair("ann", "bob", as_of=LATER) is None
    assert trio.touchpoint(wrong).retracted_reason == "never happened"


def test_retracting_what_is_not_a_stored_touchpoint_is_an_error(trio: ledger.Ledger) -> None:
    trio.update_person("ann", since=T0, org="Acme")
    with trio._store.snapshot() as c:  # the attribute change's fact id
        c.execute(trio._store.tables.sql("SELECT id, kind FROM {facts}"))
        [change] = [bytes(r["id"]).hex() for r in c.fetchall() if int(r["kind"]) != TOUCH_FACT]
    before = trio.log_position
    for identity in (change, "0" * 32, "not-an-id", "", 42, None):
        with pytest.raises(ledger.UnknownTouchpointError) as raised:
            trio.retract(identity, "wrong")  # type: ignore[arg-type]
        assert str(raised.value).startswith("touchpoint_id: no touchpoint")
        assert isinstance(raised.value, LookupError)
        with pytest.raises(ledger.UnknownTouchpointError):
            trio.touchpoint(identity)  # type: ignore[arg-type]
    assert trio.log_position == before


def test_a_retraction_is_final(trio: ledger.Ledger) -> None:
    call = trio.record("call", "ann", "bob", T0)
    other = trio.record("call", "ann", "cat", T0)
    trio.retract(call, "wrong person")
    before = trio.log_position
    with pytest.raises(ledger.AlreadyRetractedError, match="already retracted"):
        trio.retract(call.upper(), "again")
    with pytest.raises(ledger.AlreadyRetractedError), trio.batch() as unit:  # twice in one
        unit.retract(other, "first")
        unit.retract(other, "second")
    assert trio.log_position == before
    assert not trio.touchpoint(other).retracted  # the whole unit of work was undone
    assert trio.touchpoint(call).retracted_reason == "wrong person"
