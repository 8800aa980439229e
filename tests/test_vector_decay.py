"""The vectorised decay export (``ledger.views._vector``) against the pure fold.

The reference is the fold of ``projections/decay.py``: the ledger's stored states
(``decay_values`` without a model override, i.e. ``Ledger.projection_values``) or a
refold of each pair's touches under an overridden model (``decay_values`` with one).
Random histories (every kind, introductions, favors both ways, fractional seconds,
times either side of 1970, ties) arrive in random batches, back-dated or not, with
retractions, catch-ups and exports in between, so the cached columns are loaded,
extended and reloaded along the way; every export must equal the fold.
"""

from __future__ import annotations

import math
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger.projections.decay import INTRODUCED

import ledger
from ledger.facts.kinds import Kind
from ledger.outputs import export as exporting
from ledger.views import _columns, _decay_rows, _vector
from ledger.views._decay_rows import decay_row

PEOPLE = ["ann", "bob", "cat", "dan", "eve"]
START = datetime(1969, 10, 1, tzinfo=UTC)  # histories cross the epoch: negative µs too
SPAN_HOURS = 400 * 24
WEIGHT_KEYS = [kind.value for kind in Kind] + [INTRODUCED]


@st.composite
def touches(draw: st.DrawFn) -> ledger.Touch:
    kind = draw(st.sampled_from(list(Kind)))
    initiator = draw(st.sampled_from(PEOPLE))
    others = [p for p in PEOPLE if p != initiator]
    if kind is Kind.INTRODUCTION:
        counterparts = draw(st.permutations(others))[:2]
    else:
        counterparts = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    hours = draw(st.integers(0, SPAN_HOURS)) // 120 * 120  # a coarse grid: ties are common
    micros = draw(st.sampled_from([0, 0, 0, 1, 250_000]))
    giver = (
        draw(st.sampled_from([None, "initiator", "counterparts"])) if kind is Kind.FAVOR else None
    )
    return ledger.Touch(
        kind,
        initiator,
        counterparts,
        START + timedelta(hours=hours, microseconds=micros),
        giver=giver,
        personalized=draw(st.booleans()),
        source="vector",
        source_ref=uuid.uuid4().hex,
    )


models = st.tuples(
    st.none() | st.floats(0.05, 500),
    st.none() | st.dictionaries(st.sampled_from(WEIGHT_KEYS), st.floats(0, 10), max_size=4),
)
probes = st.tuples(st.integers(-48, 5 * SPAN_HOURS), st.sampled_from([0, 1, 999_999]))


def reference(book: ledger.Ledger, as_of: datetime, **model: Any) -> list[dict[str, Any]]:
    """The rows the fold gives (the export's code before it was vectorised)."""
    return [decay_row(a, b, value) for a, b, value in exporting.decay_values(book, as_of, **model)]


def assert_same_rows(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    assert [(r["a"], r["b"]) for r in got] == [(r["a"], r["b"]) for r in want]
    for mine, theirs in zip(got, want, strict=True):
        assert list(mine) == list(theirs)  # same columns, same order
        assert math.isclose(mine["strength"], theirs["strength"], rel_tol=1e-9, abs_tol=1e-300)
        assert {k: v for k, v in mine.items() if k != "strength"} == {
            k: v for k, v in theirs.items() if k != "strength"
        }
        for value in mine.values():  # plain Python values, never numpy scalars
            assert type(value) in (str, int, float, type(None))


def check_export(book: ledger.Ledger, as_of: datetime, model: tuple[Any, Any]) -> None:
    half_life, weights = model
    options = {"half_life_days": half_life, "weights": weights}
    got = exporting.export_table(book, "decay", as_of, **options).rows
    assert_same_rows(got, reference(book, as_of, **options))


@pytest.fixture(autouse=True)
def columns_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every export here takes the columns, even a ledger object's first."""
    monkeypatch.setattr(_decay_rows, "LOOKUPS_FIRST", False)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_columns, "PAGE_ROWS", 3)  # loads read many pages


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    batches=st.lists(st.lists(touches(), min_size=1, max_size=8), min_size=1, max_size=5),
    retract=st.lists(st.sets(st.integers(0, 7), max_size=2), min_size=5, max_size=5),
    catch_ups=st.lists(st.booleans(), min_size=5, max_size=5),
    forward=st.lists(st.booleans(), min_size=5, max_size=5),
    checks=st.lists(st.tuples(probes, models), min_size=5, max_size=5),
    extend_limit=st.sampled_from([2, 20_000]),
)
def test_vectorised_rows_equal_the_fold(
    small_pages: None,
    monkeypatch: pytest.MonkeyPatch,
    batches: list[list[ledger.Touch]],
    retract: list[set[int]],
    catch_ups: list[bool],
    forward: list[bool],
    checks: list[tuple[tuple[int, int], tuple[Any, Any]]],
    extend_limit: int,
) -> None:
    monkeypatch.setattr(_vector, "EXTEND_LIMIT", extend_limit)
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        for person in PEOPLE:
            book.add_person(person)
        for number, drawn in enumerate(batches):
            later = timedelta(hours=SPAN_HOURS * number if forward[number] else 0)
            # shifted after every earlier batch, the cached columns can be extended
            batch = [attrs.evolve(t, occurred_at=t.occurred_at + later) for t in drawn]
            ids = book.record_many(batch).touchpoint_ids
            for index in retract[number]:
                if index < len(ids):
                    book.retract(ids[index], "recorded in error")
            if catch_ups[number]:
                book.catch_up()
            (hours, micros), model = checks[number]
            check_export(book, START + timedelta(hours=hours, microseconds=micros), model)
        check_export(book, START + timedelta(hours=5 * SPAN_HOURS), (None, None))


# -- the cache ---------------------------------------------------------------------------
AS_OF = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the full loads of ``pair_touches``."""
    calls: list[int] = []
    real = _columns.load

    def counted(views: Any, c: Any) -> Any:
        calls.append(1)
        return real(views, c)

    monkeypatch.setattr(_columns, "load", counted)
    yield calls


def history(book: ledger.Ledger) -> list[str]:
    for person in PEOPLE:
        book.add_person(person)
    return [
        book.record("email", "ann", ["bob", "cat"], "2024-01-01T09:00:00+00:00"),
        book.record("email", "bob", ["ann"], "2024-01-02T09:00:00.5+00:00"),
        book.record("introduction", "cat", ["ann", "dan"], "2024-02-01T09:00:00+00:00"),
        book.record("favor", "dan", ["ann"], "2024-02-03T09:00:00+00:00", giver="counterparts"),
        book.record("call", "ann", ["dan"], "2024-03-01T09:00:00+00:00"),
    ]


def test_every_storage_agrees_with_the_fold(book: ledger.Ledger) -> None:
    assert exporting.export_table(book, "decay", AS_OF).rows == []  # an empty ledger
    history(book)
    for as_of in (datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 2, 1, 9, tzinfo=UTC), AS_OF):
        check_export(book, as_of, (None, None))
        check_export(book, as_of, (7.5, {"email": 2.0, INTRODUCED: 0.0}))
    rows = exporting.export_table(book, "decay", AS_OF).rows
    assert [(r["a"], r["b"]) for r in rows] == [
        ("ann", "bob"),
        ("ann", "cat"),
        ("ann", "dan"),
        ("cat", "dan"),
    ]
    assert rows[0]["last_exchange_at"] == "2024-01-02T09:00:00.500000+00:00"
    # cat's introduction (help) answers ann's e-mail; cat's help to dan answers nothing
    assert rows[1]["last_exchange_at"] == "2024-02-01T09:00:00+00:00"
    assert rows[3]["last_exchange_at"] is None


def test_rows_are_in_python_key_order_whatever_the_collation(book: ledger.Ledger) -> None:
    keys = ["Zed", "adam", "b-c", "bc", "Émile", "émile", "10", "9"]
    for key in keys:
        book.add_person(key)
    for number, key in enumerate(keys):
        at = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=number)
        book.record("message", key, [other for other in keys if other != key], at)
    rows = exporting.export_table(book, "decay", AS_OF).rows
    pairs = [(r["a"], r["b"]) for r in rows]
    assert pairs == sorted(pairs) and len(pairs) == len(keys) * (len(keys) - 1) // 2
    check_export(book, AS_OF, (None, None))


def test_pairs_read_in_another_collation_are_renumbered_in_python_order() -> None:
    import numpy as np

    keys = [("b", "c"), ("B", "c"), ("a", "b")]  # as a linguistic collation might list them
    codes = np.array([0, 0, 1, 2, 2, 2])
    t = np.array([5, 7, 1, 2, 3, 4])
    touches = _columns.assemble(
        keys, codes, t, np.zeros(6, np.int8), np.ones(6, np.int8), _columns.iso_texts(t)
    )
    assert touches.a.tolist() == ["B", "a", "b"] and touches.b.tolist() == ["c", "b", "c"]
    assert touches.counts.tolist() == [1, 3, 2]
    assert touches.t.tolist() == [1, 2, 3, 4, 5, 7]  # each pair's rows keep their order


def test_new_touches_after_each_pairs_last_extend_the_cache(
    memory_book: ledger.Ledger, loads: list[int]
) -> None:
    history(memory_book)
    check_export(memory_book, AS_OF, (None, None))
    memory_book.record("message", "dan", ["ann", "eve"], "2024-04-01T09:00:00+00:00")
    memory_book.add_person("fay")
    memory_book.update_person("eve", org="Acme")
    check_export(memory_book, AS_OF, (None, None))
    check_export(memory_book, datetime(2024, 3, 15, tzinfo=UTC), (30.0, None))
    assert len(loads) == 1
    assert _vector._CACHE[memory_book].position == memory_book.position


@pytest.mark.parametrize("change", ["retraction", "back-dated", "tie", "many events"])
def test_what_extension_cannot_follow_reloads(
    memory_book: ledger.Ledger,
    loads: list[int],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    ids = history(memory_book)
    check_export(memory_book, AS_OF, (None, None))
    if change == "retraction":
        memory_book.retract(ids[1], "never sent")
    elif change == "back-dated":  # before the pair's last touch: later exchanges change
        memory_book.record("email", "ann", ["bob"], "2024-01-01T12:00:00+00:00")
    elif change == "tie":  # the same time as the pair's last touch
        memory_book.record("email", "bob", ["ann"], "2024-01-02T09:00:00.5+00:00")
    else:
        monkeypatch.setattr(_vector, "EXTEND_LIMIT", 1)
        memory_book.record("email", "eve", ["ann"], "2025-01-01T00:00:00+00:00")
        memory_book.record("email", "ann", ["eve"], "2025-01-02T00:00:00+00:00")
    check_export(memory_book, AS_OF, (None, None))
    assert len(loads) == 2
    rows = exporting.export_table(memory_book, "decay", AS_OF).rows
    if change == "retraction":
        assert rows[0]["touches"] == 1 and rows[0]["last_exchange_at"] is None


def test_a_load_the_views_moved_under_is_read_again(
    memory_book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(memory_book)
    real_load, real_position = _columns.load, ledger.Ledger.position
    moved: list[bool] = []

    def load(views: Any, c: Any) -> Any:
        moved.append(len(moved) == 0)  # as if another process caught up during the first
        return real_load(views, c)

    def position(book: ledger.Ledger) -> int:
        value: int = real_position.fget(book)  # type: ignore[attr-defined]
        if moved and moved[-1]:
            moved[-1] = False
            return value + 1
        return value

    monkeypatch.setattr(_columns, "load", load)
    monkeypatch.setattr(ledger.Ledger, "position", property(position))
    check_export(memory_book, AS_OF, (None, None))
    assert len(moved) == 2
    assert _vector._CACHE[memory_book].position == real_position.fget(memory_book)  # type: ignore[attr-defined]


def test_a_load_that_keeps_failing_is_done_under_the_lock(
    memory_book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(memory_book)
    real = _columns.load
    calls: list[int] = []

    def failing(views: Any, c: Any) -> Any:
        calls.append(1)  # as if pages and pair counts kept disagreeing
        return real(views, c) if len(calls) == 3 else None

    monkeypatch.setattr(_columns, "load", failing)
    check_export(memory_book, AS_OF, (None, None))
    assert len(calls) == 3  # two plain reads, then one holding the catch-up lock
    assert _vector._CACHE[memory_book].position == memory_book.position


def test_point_queries_and_start_up_do_not_load_numpy() -> None:
    code = (
        "import sys, ledger, ledger.cli.main; "
        "book = ledger.open('memory://x'); book.add_person('a'); book.add_person('b'); "
        "book.record('email', 'a', ['b'], '2024-01-01T00:00:00+00:00'); book.pair('a', 'b'); "
        "print('numpy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.stdout.strip() == "False", result.stderr


def test_a_ledger_objects_first_export_looks_pairs_up_and_its_second_loads_columns(
    memory_book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_decay_rows, "LOOKUPS_FIRST", True)
    history(memory_book)
    first = exporting.export_table(memory_book, "decay", AS_OF).rows
    assert memory_book not in _vector._CACHE  # a one-shot export never pays the load
    second = exporting.export_table(memory_book, "decay", AS_OF).rows
    assert memory_book in _vector._CACHE
    assert_same_rows(second, first)
    with ledger.open("memory://") as other:
        history(other)
        exporting.export_table(other, "decay", AS_OF, half_life_days=30)
        assert other in _vector._CACHE  # a model override is a refold: columns at once
