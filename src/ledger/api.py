"""The Python API: open a ledger by URL, record facts, ask how relationships stand."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import PersistenceError

from ledger.errors import (
    AlreadyRetractedError,
    InvalidInputError,
    LedgerError,
    StorageError,
    UnknownPersonError,
    UnknownProjectionError,
    UnknownTouchpointError,
)
from ledger.facts.events import OWNER_ID, Snooze, new_owner, new_snooze, person_id, topic_of
from ledger.facts.kinds import Kind
from ledger.facts.time import parse_time, to_micros
from ledger.facts.values import Touch, check_key, clean_attributes
from ledger.projections import discover
from ledger.projections.decay import Decay
from ledger.projections.reciprocity import coefficient
from ledger.store._storage import open_storage, redact
from ledger.store.application import LedgerApplication
from ledger.store.audit import AuditReport, run_audit
from ledger.store.recording import Recorder
from ledger.views import _history
from ledger.views._catchup import Progress, catch_up, rebuild
from ledger.views._explain import explanation
from ledger.views._fold import Projections
from ledger.views._history import Introduction, Step
from ledger.views._queries import Reader
from ledger.views._settings import dump_config, load_config, override
from ledger.views._verify import differences
from ledger.views.results import (
    Explanation,
    NetworkSummary,
    PairView,
    PersonView,
    RecordSummary,
    TouchpointView,
)

__all__ = ["Ledger"]

TimeLike = datetime | str | None


class Ledger:
    """A relationship ledger stored at ``url`` (see :func:`ledger.open`).

    ``half_life_days`` and ``weights`` set the decay model; they are remembered by the
    ledger, and changing them rebuilds the views.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        half_life_days: float | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self._storage = open_storage(url)
        self.url = redact(self._storage.url)  # never shows a password
        try:
            self._app = LedgerApplication(env=self._storage.environment())
            self._views = self._storage.views(self._app)
            self._views.create_tables()
            self._chain = self._storage.chain(self._app)
            self._chain.create_table()
            with self._views.read() as c:
                stored = self._views.meta(c)
        except (PersistenceError, OSError) as error:
            raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None
        config = load_config(stored, half_life_days, weights)
        self.projections = Projections(discover(config))
        self._reader = Reader(self._views)
        self._recorder = Recorder(self._app, self._storage)
        settings = {**self.projections.fingerprints(), "config": dump_config(config)}
        if any(stored.get(k) != v for k, v in settings.items() if k != "config") or (
            stored.get("config") != settings["config"]
        ):
            self._rebuild(settings)

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._app.close()

    @property
    def decay_model(self) -> Decay:
        decay = self.projections.by_name["decay"]
        assert isinstance(decay, Decay)
        return decay

    # -- people ------------------------------------------------------------------------
    def add_person(self, key: str, name: str | None = None, **attributes: Any) -> bool:
        """Register a person; attributes given here hold for all time. False if known."""
        key = check_key(key, "key")
        changes = clean_attributes(attributes)
        return self._recorder.register(key, (name or key).strip() or key, changes)

    def update_person(self, key: str, since: TimeLike = None, **attributes: Any) -> None:
        """Attributes take new values from ``since`` on (default: now); None clears one."""
        key = check_key(key, "key")
        changes = clean_attributes(attributes)
        if not changes:
            raise InvalidInputError("attributes", attributes, "nothing to update")
        effective = _moment(since, "since")
        for _ in range(_ATTEMPTS):  # a concurrent update took our version: apply on top
            person = self._person_aggregate(key)
            person.change(effective, changes)
            if self._recorder.save_changes(person):
                return
        raise LedgerError(f"key: could not update {key!r}: it kept colliding with other writers")

    def person(self, key: str, as_of: TimeLike = None) -> PersonView:
        key = check_key(key, "key")
        self.catch_up()
        if not self._reader.person_exists(key):
            raise UnknownPersonError("key", key)
        moment = _moment(as_of, "as_of")
        values = self._reader.attributes(key, to_micros(moment))
        return PersonView(key=key, as_of=moment, name=values.pop("name", key), attributes=values)

    def people(self) -> list[str]:
        self.catch_up()
        return self._reader.people()

    @property
    def owner(self) -> str | None:
        """Whose ledger this is ("me" in :mod:`ledger.insights`); None until set."""
        try:
            return str(self._app.repository.get(OWNER_ID).key)
        except AggregateNotFoundError:
            return None

    def set_owner(self, key: str) -> str:
        """Make the registered person ``key`` the owner: a fact stored in the log."""
        key = self.person(key).key  # validates: a registered person
        for _ in range(_ATTEMPTS):  # another process may declare or change it meanwhile
            try:
                owner: Any = self._app.repository.get(OWNER_ID)
            except AggregateNotFoundError:
                if self._recorder.save_new([new_owner(key)]):
                    return key
                continue
            if owner.key == key:
                return key
            owner.change(key)
            if self._recorder.save_changes(owner):
                return key
        raise LedgerError(f"key: could not set the owner to {key!r}: it kept colliding")

    # -- snoozes -----------------------------------------------------------------------
    def snooze(self, a: str, b: str, since: datetime, until: datetime, reason: str | None) -> None:
        """Store a snooze of the pair (a, b) from ``since`` until ``until`` (a fact)."""
        x, y = sorted((self._known_key(a, "a"), self._known_key(b, "b")))
        self._recorder.save_new([new_snooze(x, y, since, until, reason)])

    def snooze_facts(self) -> list[tuple[str, str, datetime, datetime, str | None]]:
        """Every snooze stored, ``(a, b, since, until, reason)``, in log order."""
        found = []
        start: int | None = None
        app = self._app
        while True:
            page = app.recorder.select_notifications(
                start=start,
                limit=_PAGE,
                topics=[topic_of(Snooze.Set)],
                inclusive_of_start=start is None,
            )
            for notification in page:
                event: Any = app.mapper.to_domain_event(notification)
                found.append((event.a, event.b, event.since, event.until, event.reason))
            if len(page) < _PAGE:
                return found
            start = page[-1].id

    # -- many pairs at once (for the insights) -----------------------------------------
    def steps_of(self, person: str, until: int) -> dict[str, list[Step]]:
        """Every touch up to ``until`` (µs) of every pair of ``person``, by the other
        person, seen from ``person``, in time order."""
        self.catch_up()
        return _history.person_steps(self._views, person, until)

    def all_steps(self, until: int, kinds: Sequence[Kind]) -> Iterator[tuple[str, str, Step]]:
        """``(a, b, step)`` (seen from a) of every touch of ``kinds`` up to ``until``."""
        self.catch_up()
        return _history.all_steps(self._views, until, kinds)

    def attributes_at(self, until: int) -> dict[str, dict[str, Any]]:
        """Every person's attributes in force at ``until`` (µs)."""
        self.catch_up()
        return _history.attributes_at(self._views, until)

    def introductions(self, until: int) -> list[Introduction]:
        """Introductions of two people (not retracted) up to ``until``, in time order."""
        self.catch_up()
        return _history.introductions(self._views, until)

    def touched_after(self, a: str, b: str, after: int, until: int) -> tuple[int, int]:
        """How many touches the pair had in ``(after, until]`` in which one of them
        reached out, and the first one's time (0 when none)."""
        self.catch_up()
        return _history.touched_after(self._views, a, b, after, until)

    # -- touchpoints -------------------------------------------------------------------
    def record(
        self,
        kind: str,
        initiator: str,
        counterparts: str | Sequence[str],
        occurred_at: datetime | str,
        **details: Any,
    ) -> str:
        """Record one touchpoint; return its id. Details: see :class:`ledger.Touch`."""
        touch = Touch(kind, initiator, counterparts, occurred_at, **details)
        return self._recorder.record([touch], create_people=False).touchpoint_ids[0]

    def record_many(
        self,
        touches: Iterable[Touch],
        *,
        create_people: bool = False,
        keep_ids: bool = True,
    ) -> RecordSummary:
        """Record a batch atomically: all of it or, on any error, none of it.

        Touchpoints already recorded (same source and source_ref) are ignored and
        counted; ``create_people`` registers unknown people instead of failing.
        ``touches`` may be a lazy iterable: it is consumed once, in chunks, inside the
        one transaction, so a batch of any size is written in flat memory (an error it
        raises rolls the whole batch back). ``keep_ids=False`` leaves the summary's
        ``touchpoint_ids`` empty, for streams too large to keep every id of.
        """
        return self._recorder.record(touches, create_people, keep_ids=keep_ids)

    def retract(self, touchpoint_id: str, reason: str) -> None:
        """Withdraw a touchpoint recorded in error. The log keeps both facts."""
        if not str(reason).strip():
            raise InvalidInputError("reason", reason, "say why the touchpoint is retracted")
        touchpoint = self._touchpoint_aggregate(touchpoint_id)
        if touchpoint.retracted_reason is not None:
            raise AlreadyRetractedError(touchpoint_id)
        touchpoint.retract(str(reason).strip())
        if not self._recorder.save_changes(touchpoint):  # retracted meanwhile by another
            raise AlreadyRetractedError(touchpoint_id)

    def touchpoint(self, touchpoint_id: str) -> TouchpointView:
        self.catch_up()
        found = self._reader.touchpoint(_touchpoint_hex(touchpoint_id))
        if found is None:
            raise UnknownTouchpointError(touchpoint_id)
        return found

    def timeline(
        self,
        person: str,
        other: str | None = None,
        *,
        since: TimeLike = None,
        until: TimeLike = None,
    ) -> list[TouchpointView]:
        """Touchpoints of ``person`` (with ``other``) in time order, retracted ones too."""
        person = self._known_key(person, "person")
        other = None if other is None else self._known_key(other, "other")
        low = None if since is None else to_micros(parse_time(since, "since"))
        high = None if until is None else to_micros(parse_time(until, "until"))
        return self._reader.timeline(person, other, low, high)

    # -- relationships -----------------------------------------------------------------
    def pair(self, a: str, b: str, as_of: TimeLike = None) -> PairView | None:
        """How ``a`` and ``b`` stood at ``as_of`` (default now); None if not yet in touch."""
        x, y = sorted((self._known_key(a, "a"), self._known_key(b, "b")))
        moment = _moment(as_of, "as_of")
        blob = self._reader.state_at(x, y, to_micros(moment))
        return None if blob is None else self._view(x, y, blob, moment)

    def relationships(self, person: str, as_of: TimeLike = None) -> list[PairView]:
        """Every relationship of ``person`` at ``as_of``, strongest first."""
        key = self._known_key(person, "person")
        return self._views_at(_moment(as_of, "as_of"), key)

    def pairs(self, as_of: TimeLike = None) -> list[PairView]:
        """Every relationship in the ledger at ``as_of``, strongest first."""
        self.catch_up()
        return self._views_at(_moment(as_of, "as_of"), None)

    def network(self, as_of: TimeLike = None) -> NetworkSummary:
        moment = _moment(as_of, "as_of")
        views = self.pairs(moment)
        levels = Counter(view.depth.level_name for view in views)
        people = {key for view in views for key in (view.a, view.b)}
        count = len(views)
        return NetworkSummary(
            as_of=moment,
            people=len(people),
            pairs=count,
            depth_distribution={level: levels.get(level, 0) for level in _LEVEL_NAMES},
            inch_deep_share=levels.get("inch_deep", 0) / count if count else 0.0,
            one_way_share=levels.get("one_way", 0) / count if count else 0.0,
            reciprocity_coefficient=coefficient((v.a, v.b, v.reciprocity) for v in views),
            total_strength=math.fsum(view.strength for view in views),
        )

    def projection_value(self, name: str, a: str, b: str, as_of: TimeLike = None) -> Any:
        """The value of any projection (by module name) for a pair at ``as_of``; None
        when the pair was not yet in touch. A projection added as a module in
        ``projections/`` is queryable here without changing anything else."""
        if name not in self.projections.by_name:
            raise UnknownProjectionError(name, sorted(self.projections.by_name))
        x, y = sorted((self._known_key(a, "a"), self._known_key(b, "b")))
        t = to_micros(_moment(as_of, "as_of"))
        blob = self._reader.state_at(x, y, t)
        if blob is None:
            return None
        state = self.projections.decode(blob, only=name)[name]
        return self.projections.by_name[name].at(state, t)

    def projection_values(self, name: str, as_of: TimeLike = None) -> list[tuple[str, str, Any]]:
        """``(a, b, value)`` of one projection for every pair at ``as_of``, sorted by
        (a, b); only that projection's state is decoded."""
        if name not in self.projections.by_name:
            raise UnknownProjectionError(name, sorted(self.projections.by_name))
        self.catch_up()
        t = to_micros(_moment(as_of, "as_of"))
        projection = self.projections.by_name[name]
        values = [
            (a, b, projection.at(self.projections.decode(blob, only=name)[name], t))
            for a, b, blob in self._reader.states_at(t)
        ]
        values.sort(key=lambda item: (item[0], item[1]))
        return values

    def explain(
        self,
        a: str,
        b: str,
        as_of: TimeLike = None,
        *,
        half_life_days: float | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> Explanation:
        """Every touchpoint's contribution to the pair's strength, and its depth's reasons."""
        x, y = sorted((self._known_key(a, "a"), self._known_key(b, "b")))
        model = self._model(half_life_days, weights)
        return explanation(self._reader, self.projections, model, x, y, _moment(as_of, "as_of"))

    # -- maintenance -------------------------------------------------------------------
    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply events recorded since the views' tracked position; return how many.

        ``progress``, if given, is called after each page read with how many events
        have been read so far (compare :attr:`pending`)."""
        return catch_up(self._app, self._views, self.projections, progress=progress)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Throw the views away and replay every event; return how many were applied.
        ``progress``: as for :meth:`catch_up`."""
        with self._views.read() as c:
            settings = self._views.meta(c)
        return self._rebuild(settings, progress)

    def verify(self, progress: Progress | None = None) -> list[str]:
        """Differences between the persisted views and a from-scratch replay of the log
        up to the same position (empty when they agree). Writes nothing. ``progress``:
        as for :meth:`catch_up`."""
        return differences(self._app, self._views, self.projections, progress)

    def audit(self, expect_head: str | None = None) -> AuditReport:
        """Check the stored log, its hash chain and the views (see ``docs/audit.md``).

        ``expect_head`` is a chain hash noted earlier: it must still be in the chain.
        """
        return run_audit(self._app, self._chain, self.verify, expect_head)

    @property
    def position(self) -> int:
        """The notification id the views have reached."""
        return self._views.position()

    @property
    def log_position(self) -> int:
        """The notification id of the log's last event (0 for an empty log)."""
        return int(self._app.recorder.max_notification_id() or 0)

    @property
    def pending(self) -> int:
        """How many events, at most, the views have yet to apply (the next query's
        catch-up): the log's last notification id less :attr:`position`. On
        PostgreSQL, ids can skip, so this is an upper bound."""
        return max(0, self.log_position - self.position)

    @property
    def application(self) -> LedgerApplication:
        """The underlying eventsourcing application (for audits and tools)."""
        return self._app

    # -- internals ---------------------------------------------------------------------
    def _rebuild(self, settings: dict[str, str], progress: Progress | None = None) -> int:
        return rebuild(self._app, self._views, self.projections, settings, progress)

    def _model(self, half_life_days: float | None, weights: Mapping[str, float] | None) -> Decay:
        return override(self.decay_model, half_life_days, weights)

    def _views_at(self, moment: datetime, person: str | None) -> list[PairView]:
        t = to_micros(moment)
        views = [self._view(a, b, blob, moment) for a, b, blob in self._reader.states_at(t, person)]
        views.sort(key=lambda view: (-view.strength, view.a, view.b))
        return views

    def _view(self, a: str, b: str, blob: bytes, moment: datetime) -> PairView:
        states = self.projections.decode(blob)
        t = to_micros(moment)
        values = {name: p.at(states[name], t) for name, p in self.projections.by_name.items()}
        return PairView(
            a=a,
            b=b,
            as_of=moment,
            decay=values["decay"],
            depth=values["depth"],
            reciprocity=values["reciprocity"],
        )

    def _known_key(self, key: str, field: str) -> str:
        key = check_key(key, field)
        self.catch_up()
        if not self._reader.person_exists(key):
            raise UnknownPersonError(field, key)
        return key

    def _person_aggregate(self, key: str) -> Any:
        try:
            return self._app.repository.get(person_id(key))
        except AggregateNotFoundError:
            raise UnknownPersonError("key", key) from None

    def _touchpoint_aggregate(self, touchpoint_id: str) -> Any:
        try:
            return self._app.repository.get(UUID(_touchpoint_hex(touchpoint_id)))
        except AggregateNotFoundError:
            raise UnknownTouchpointError(touchpoint_id) from None


_ATTEMPTS = 20
_PAGE = 1_000
_LEVEL_NAMES = ("inch_deep", "one_way", "two_way", "live", "sustained")


def _touchpoint_hex(touchpoint_id: str) -> str:
    try:
        return UUID(str(touchpoint_id).strip()).hex
    except ValueError:
        raise UnknownTouchpointError(touchpoint_id) from None


def _moment(value: TimeLike, field: str) -> datetime:
    return datetime.now(UTC) if value is None else parse_time(value, field)
