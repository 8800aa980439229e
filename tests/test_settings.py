"""Settings are facts: the decay model and the time zone are events in the log (chained,
audited, replayed, with who changed them and when), validated at every entry, and every
ledger object answers with the settings in force at its read."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import ledger
from ledger.cli.main import main

T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def pair(book: ledger.Ledger) -> ledger.Ledger:
    """A ledger with one message from ann to bob at T0."""
    book.add_person("ann")
    book.add_person("bob")
    book.record("message", "ann", "bob", T0)
    return book


def strength(book: ledger.Ledger, as_of: datetime, **model: object) -> float:
    view = book.pair("ann", "bob", as_of=as_of, **model)
    assert view is not None
    return view.strength


# -- stored as events ------------------------------------------------------------------------
def test_set_decay_and_set_timezone_are_events_with_actor_and_time(pair: ledger.Ledger) -> None:
    before = datetime.now(UTC)
    model = pair.set_decay(30, actor="alice")
    assert model.half_life_days == 30 and pair.decay_model.half_life_days == 30
    pair.set_decay(weights={"message": 2}, actor="bob")
    assert pair.set_timezone("Europe/Paris", actor="carol") == "Europe/Paris"
    history = pair.settings_history()
    assert [(h.version, h.changes, h.actor) for h in history] == [
        (1, {"half_life_days": 30.0}, "alice"),
        (2, {"weights": {"message": 2.0}}, "bob"),
        (3, {"timezone": "Europe/Paris"}, "carol"),
    ]
    assert all(before <= h.recorded_at <= datetime.now(UTC) for h in history)
    report = pair.audit()
    assert report.ok, report.problems
    assert report.counts["ledger.facts.events:Settings.Started v1"] == 1
    assert report.counts["ledger.facts.events:Settings.Changed v1"] == 2
    assert math.isclose(strength(pair, day(30)), 2 * 0.5)
    assert pair.timezone == "Europe/Paris"
    assert pair.verify() == []


def test_every_settings_change_is_the_os_users_unless_an_actor_is_named(
    pair: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One rule on every path: the Ledger's setters, a unit of work's set_owner (what an
    import's --me and a migration use) and the owner cleared by forgetting them."""
    monkeypatch.setenv("LOGNAME", "os-user")  # getpass.getuser() reads it first
    with pair.batch() as unit:
        unit.set_owner("ann")
    pair.set_owner("bob")
    pair.set_decay(30)
    pair.set_timezone("Europe/Paris")
    pair.forget("bob", "request 7")  # the owner: the setting is cleared
    with pair.batch() as unit:
        unit.set_owner("ann", actor="named")
    history = [(h.changes.get("owner", "-") is None, h.actor) for h in pair.settings_history()]
    assert history == [(False, "os-user")] * 4 + [(True, "os-user"), (False, "named")]


def test_ledger_settings_shows_who_changed_each_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "os-user")
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    calendar = Path(__file__).parent / "fixtures" / "importers" / "calendar.ics"
    runner = CliRunner(env={"LEDGER_TZ": "UTC"})
    for args in (
        ["import", "ics", str(calendar), "--me", "me@example.org", "--until", "2024-02-01"],
        ["init", "--half-life", "30", "--timezone", "Europe/Paris"],
    ):
        assert runner.invoke(main, ["--db", db, *args]).exit_code == 0
    shown = runner.invoke(main, ["--db", db, "settings", "--format", "json"])
    rows = [(row["setting"], row["actor"]) for row in json.loads(shown.stdout)["history"]]
    assert rows == [("owner", "os-user"), ("half_life_days", "os-user"), ("timezone", "os-user")]
    table = runner.invoke(main, ["--db", db, "settings"]).stdout
    assert [line.split()[3] for line in table.splitlines() if line[:9].strip().isdigit()] == [
        "os-user"
    ] * 3


# -- a long-lived ledger object sees another's change at its next read -----------------------
def test_another_objects_decay_change_is_seen_at_the_next_read(sqlite_url: str) -> None:
    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        first.add_person("ann")
        first.add_person("bob")
        first.record("message", "ann", "bob", T0)
        assert math.isclose(strength(second, day(90)), 0.5)
        first.set_decay(30, weights={"message": 3})  # also catches the views up
        assert second.decay_model.half_life_days == 30
        assert math.isclose(strength(second, day(90)), 3 * 0.125)
        assert math.isclose(second.explain("ann", "bob", as_of=day(90)).strength, 3 * 0.125)
        assert {v.strength for v in second.pairs(day(90))} == {strength(first, day(90))}
        assert second.verify() == []


def test_another_objects_zone_change_is_the_zone_later_touches_fold_in(sqlite_url: str) -> None:
    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        first.add_person("ann")
        first.add_person("bob")
        first.record("message", "ann", "bob", "2024-01-01T12:00:00+00:00")
        second.pair("ann", "bob")  # second has read the settings in force: UTC
        first.set_timezone("Pacific/Kiritimati")  # +14:00, refolded by first
        first.record("message", "bob", "ann", "2024-01-02T09:00:00+00:00")  # Jan 2, 23:00
        first.record("message", "ann", "bob", "2024-01-02T11:00:00+00:00")  # Jan 3, 01:00
        view = second.pair("ann", "bob")  # second catches these up: in Kiritimati's days
        assert view is not None and view.depth.two_way_days == 1
        assert second.timezone == "Pacific/Kiritimati"
        assert second.verify() == []
        assert first.verify() == []


@pytest.mark.parametrize(
    "zone",
    [
        "Mars/Olympus",
        "",
        "Europe",  # a folder of the zone database
        "posixrules",
        "Factory",
        "right/UTC",
        "../etc/passwd",
        None,
        5,
        # zoneinfo loads these (and Arrow counts days in localtime), but each is this
        # machine's own file, not a zone every reader of the log agrees on
        "localtime",
        "posix/Europe/Paris",
        "/usr/share/zoneinfo/Europe/Paris",
    ],
)
def test_a_zone_that_is_not_a_portable_iana_name_is_refused(
    pair: ledger.Ledger, zone: object
) -> None:
    before = pair.log_position
    with pytest.raises(ledger.InvalidInputError, match=r"timezone: not a (portable )?time zone"):
        pair.set_timezone(zone)  # type: ignore[arg-type]
    assert pair.log_position == before
    assert pair.timezone == "UTC"
    assert pair.pair("ann", "bob") is not None
    assert pair.audit().ok


# -- validated at every entry ----------------------------------------------------------------
BAD_HALF_LIVES = [0, -1, float("nan"), float("inf"), 1e400, -0.0, True, "30", 1e7]
BAD_WEIGHTS = [
    ({"message": -1}, "weights[message]"),
    ({"message": float("nan")}, "weights[message]"),
    ({"message": float("inf")}, "weights[message]"),
    ({"message": True}, "weights[message]"),
    ({"message": "2"}, "weights[message]"),
    ({"message": None}, "weights[message]"),
    ([("message", 1.0)], "weights: expected a mapping"),
]


@pytest.mark.parametrize("half_life", BAD_HALF_LIVES)
def test_a_bad_half_life_is_refused_everywhere(pair: ledger.Ledger, half_life: object) -> None:
    before = pair.log_position
    with pytest.raises(ledger.InvalidInputError, match="half_life_days: "):
        pair.set_decay(half_life)  # type: ignore[arg-type]
    for ask in (
        lambda: pair.pair("ann", "bob", half_life_days=half_life),
        lambda: pair.relationships("ann", half_life_days=half_life),
        lambda: pair.pairs(half_life_days=half_life),
        lambda: pair.explain("ann", "bob", half_life_days=half_life),  # type: ignore[arg-type]
    ):
        with pytest.raises(ledger.InvalidInputError, match="half_life_days: "):
            ask()
    assert pair.log_position == before
    assert pair.settings_history() == []


@pytest.mark.parametrize(("weights", "field"), BAD_WEIGHTS)
def test_a_bad_weight_is_refused_everywhere(
    pair: ledger.Ledger, weights: object, field: str
) -> None:
    before = pair.log_position
    with pytest.raises(ledger.InvalidInputError, match=field.replace("[", r"\[")):
        pair.set_decay(weights=weights)  # type: ignore[arg-type]
    with pytest.raises(ledger.InvalidInputError, match=field.replace("[", r"\[")):
        pair.pair("ann", "bob", weights=weights)
    with pytest.raises(ledger.InvalidInputError, match=field.replace("[", r"\[")):
        pair.explain("ann", "bob", weights=weights)
    assert pair.log_position == before


def test_an_unknown_kind_is_an_error_naming_the_known_kinds(memory_book: ledger.Ledger) -> None:
    memory_book.add_person("ann")
    memory_book.add_person("bob")
    memory_book.record("message", "ann", "bob", T0)
    for ask in (
        lambda: memory_book.set_decay(weights={"mesage": 2}),
        lambda: memory_book.pair("ann", "bob", weights={"mesage": 2}),
        lambda: memory_book.pairs(weights={"mesage": 2}),
    ):
        with pytest.raises(ledger.UnknownKindError) as error:
            ask()
        message = str(error.value)
        assert "'mesage'" in message
        assert all(k.value in message for k in ledger.Kind) and "introduced" in message
    with pytest.raises(ledger.InvalidInputError, match="give a half-life or a weight"):
        memory_book.set_decay()
    assert memory_book.settings_history() == []


def test_a_weight_change_keeps_the_other_weights(memory_book: ledger.Ledger) -> None:
    defaults = dict(memory_book.decay_model.weights)
    memory_book.set_decay(weights={"meeting": 10})
    memory_book.set_decay(weights={ledger.Kind.CALL: 0, "introduced": 1.5})
    memory_book.set_decay(45)
    model = memory_book.decay_model
    assert model.half_life_days == 45
    assert dict(model.weights) == {**defaults, "meeting": 10.0, "call": 0.0, "introduced": 1.5}
    assert memory_book.verify() == []


# -- a half-life is a question, a zone a refold ----------------------------------------------
def _stored_rows(book: ledger.Ledger) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    views = book._views.views
    with views.read() as c:
        c.execute(
            views.sql("SELECT pair, t, touch, flags, factor FROM {view_rows} ORDER BY 1, 2, 3")
        )
        rows = [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in c.fetchall()]
        c.execute(views.sql("SELECT no, data FROM {view_segments} ORDER BY no"))
        segments = [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in c.fetchall()]
    return rows, [(n, bytes(d)) for n, d in segments]  # type: ignore[arg-type]


def test_changing_the_decay_model_rebuilds_nothing(
    pair: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.record("meeting", "bob", "ann", day(3), duration_seconds=3600)
    pair.catch_up()
    rows = _stored_rows(pair)
    before = strength(pair, day(60))

    def refused(*_: object) -> int:
        raise AssertionError("a decay setting must not rebuild the views")

    monkeypatch.setattr(type(pair._views), "rebuild", refused)
    pair.set_decay(10, weights={"meeting": 1})
    assert pair.position == pair.log_position  # the settings event, and nothing else
    assert _stored_rows(pair) == rows
    after = strength(pair, day(60))
    assert after < before
    assert math.isclose(strength(pair, day(60), half_life_days=90, weights={"meeting": 4}), before)
    assert pair.verify() == []


def test_a_zone_change_refolds_once(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    views_class = type(ledger.open("memory://")._views)
    real = views_class.rebuild
    calls: list[int] = []

    def counted(self: object, progress: object = None) -> int:
        calls.append(1)
        return real(self, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(views_class, "rebuild", counted)
    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        first.add_person("ann")
        first.add_person("bob")
        first.record("message", "ann", "bob", "2024-01-01T23:30:00+00:00")
        first.record("message", "bob", "ann", "2024-01-02T00:30:00+00:00")
        assert second.pair("ann", "bob").depth.two_way_days == 0  # type: ignore[union-attr]
        assert first.pair("ann", "bob") is not None
        calls.clear()  # a new ledger's views start with one (empty) build
        first.set_timezone("Europe/Paris")  # both on January 2nd, Paris time
        assert calls == [1]
        for book in (first, second, first, second):
            view = book.pair("ann", "bob")
            assert view is not None and view.depth.two_way_days == 1
            assert book.timezone == "Europe/Paris"
        assert calls == [1]
        assert second.verify() == []


def test_the_settings_in_force_are_derived_from_the_log(memory_book: ledger.Ledger) -> None:
    memory_book.set_decay(12, weights={"email": 0.5})
    memory_book.set_timezone("Asia/Tokyo")
    views = memory_book._views.views
    with views.locked() as (c, _):
        c.execute(
            views.sql("UPDATE {view_settings} SET value = '1000' WHERE key = 'half_life_days'")
        )
    assert any("view_settings" in d for d in memory_book.verify())
    memory_book.rebuild()
    assert memory_book.verify() == []
    assert memory_book.decay_model.half_life_days == 12
    assert memory_book.decay_model.weights["email"] == 0.5
    assert memory_book.timezone == "Asia/Tokyo"


def test_a_zone_changed_during_a_catch_up_is_the_zone_it_folds_in(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zone is read where the rows are written: another process may change it (and
    refold) between this object's look at the settings and its catch-up's lock."""
    from ledger.views import _catchup

    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        first.add_person("ann")
        first.add_person("bob")
        first.record("message", "ann", "bob", "2024-01-01T12:00:00+00:00")
        assert second.pair("ann", "bob") is not None  # second has read: UTC
        first.record("message", "ann", "bob", "2024-01-01T13:00:00+00:00")
        real, meanwhile = _catchup._read, []

        def overtaken(*args: object) -> object:
            found = real(*args)  # type: ignore[arg-type]
            if not meanwhile:
                meanwhile.append(1)
                first.set_timezone("Pacific/Kiritimati")  # refolds, at +14:00
                first.record("message", "bob", "ann", "2024-01-02T09:00:00+00:00")  # Jan 2
                first.record("message", "ann", "bob", "2024-01-02T11:00:00+00:00")  # Jan 3
            return found

        monkeypatch.setattr(_catchup, "_read", overtaken)
        second.catch_up()
        monkeypatch.undo()
        assert meanwhile == [1]
        assert second.timezone == "Pacific/Kiritimati"
        assert second.verify() == []
