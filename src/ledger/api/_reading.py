"""The Ledger's questions about people, touchpoints and history (a mixin of
:class:`ledger.Ledger`, which provides ``_store``, ``_views``, ``catch_up`` and
``_model``)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import numpy as np

from ledger.api._batch import TimeLike
from ledger.api._columns import fact_columns, facts, facts_by_other
from ledger.api._explain import explanation
from ledger.errors import InvalidInputError, UnknownPersonError, UnknownTouchpointError
from ledger.facts.events import SETTINGS_ID
from ledger.facts.kinds import Kind
from ledger.facts.time import from_micros, parse_time, to_micros
from ledger.facts.values import check_key
from ledger.projections import KIND_CODE
from ledger.store import TOUCH_FACT, Store
from ledger.views import LedgerViews, _queries
from ledger.views._touches import BatchCache, touchpoints
from ledger.views._values import as_of as standing
from ledger.views._verify import differences
from ledger.views._writes import numbers_of
from ledger.views.results import (
    Explanation,
    Introduction,
    MergeFact,
    PairFact,
    PersonView,
    SettingsChange,
    SnoozeFact,
    TouchpointView,
)

__all__ = ["Reading"]

_HEX = re.compile(r"[0-9a-f]{32}")


class Reading:
    _store: Store
    _views: LedgerViews

    def __init__(self) -> None:
        self._batches = BatchCache()

    def catch_up(self, progress: Any = None) -> int:  # provided by Ledger
        raise NotImplementedError

    def _model(self, half_life_days: float | None = None, weights: Any = None) -> Any:
        raise NotImplementedError

    # -- people ------------------------------------------------------------------------
    def people(self) -> list[str]:
        """Every person's key, sorted."""
        self.catch_up()
        with self._views.read() as c:
            return sorted(person[2] for person in _queries.people(self._views.views, c).values())

    def timeline(
        self,
        person: str,
        other: str | None = None,
        *,
        since: TimeLike = None,
        until: TimeLike = None,
    ) -> list[TouchpointView]:
        """Touchpoints of ``person`` (with ``other``) in time order, retracted ones too."""
        number = self._number(person, "person")
        low = None if since is None else to_micros(parse_time(since, "since"))
        high = None if until is None else to_micros(parse_time(until, "until"))
        views = self._views.views
        with self._views.read() as c:
            if other is None:
                pairs = _queries.person_pairs(views, c, number)
            else:
                pairs = [_pair(number, self._number(other, "other"))]
            rows = _queries.rows_of_pairs(views, c, pairs, high)
            if low is not None:
                keep = rows["t"] >= low
                rows = {n: v[keep] for n, v in rows.items()}
            return touchpoints(views, c, rows, self._batches)

    def touchpoint(self, touchpoint_id: str) -> TouchpointView:
        identity = self._touch_hex(touchpoint_id)
        self.catch_up()
        with self._views.read() as c:
            stored = self._store.tables.stored_facts(c, [bytes.fromhex(identity)])
            found = stored.get(bytes.fromhex(identity))
            if found is None or found[1] != TOUCH_FACT:
                raise UnknownTouchpointError(touchpoint_id)
            rows = self._rows_of_touch(c, found[0])
            views = touchpoints(self._views.views, c, rows, self._batches)
        if not views:
            raise UnknownTouchpointError(touchpoint_id)
        return views[0]

    def explain(
        self,
        a: str,
        b: str,
        as_of: TimeLike = None,
        *,
        half_life_days: float | None = None,
        weights: Any = None,
    ) -> Explanation:
        """Every touchpoint's contribution to the pair's strength, and its depth's reasons."""
        x, y = self._number(a, "a"), self._number(b, "b")
        if x == y:
            raise InvalidInputError("b", b, "a pair is two different people")
        model = self._model(half_life_days, weights)
        moment = datetime.now().astimezone() if as_of is None else parse_time(as_of, "as_of")
        views = self._views.views
        with self._views.read() as c:
            rows = _queries.pair_rows(views, c, _pair(x, y), to_micros(moment))
            people = _queries.people(views, c, [x, y])
            ids = self._store.tables.ids_at(c, rows["touch"].tolist())
        keys = {n: p[2] for n, p in people.items()}
        return explanation(_pair(x, y), rows, keys, ids, moment, model, self._views.zone)

    # -- facts for the insights (model-free) -------------------------------------------
    def pair_facts(self, person: str, as_of: TimeLike = None) -> dict[str, list[PairFact]]:
        """Every touch up to ``as_of`` of every pair of ``person``, by the other person,
        seen from ``person``, in time order."""
        number = self._number(person, "person")
        until = to_micros(_moment(as_of))
        views = self._views.views
        with self._views.read() as c:
            rows = _queries.rows_of_pairs(views, c, _queries.person_pairs(views, c, number), until)
            rows = standing(rows, until)  # retracted touches' rows are kept, marked
            ids = self._store.tables.ids_at(c, rows["touch"].tolist())
            people = _queries.people(
                views, c, [n for p in rows["pair"].tolist() for n in (p >> 32, p & 0xFFFFFFFF)]
            )
        return facts_by_other(rows, number, {n: p[2] for n, p in people.items()}, ids)

    def all_pair_facts(
        self, as_of: TimeLike = None, kinds: Any = None
    ) -> list[tuple[str, str, PairFact]]:
        """``(a, b, fact)`` (seen from a) of every touch (of ``kinds``) up to ``as_of``."""
        self.catch_up()
        until = to_micros(_moment(as_of))
        rows = self._views.network_rows()
        keep = rows["t"] <= until
        if kinds is not None:
            keep &= np.isin(rows["kind"], [KIND_CODE[Kind(k)] for k in kinds])
        rows = {n: v[keep] for n, v in rows.items()}
        with self._views.read() as c:
            ids = self._store.tables.ids_at(c, rows["touch"].tolist())
            keys = {n: p[2] for n, p in _queries.people(self._views.views, c).items()}
        found = []
        for pair, fact in facts(rows, None, keys, ids):
            found.append((keys[pair >> 32], keys[pair & 0xFFFFFFFF], fact))
        return found

    def fact_table(
        self, as_of: TimeLike = None, kinds: Any = None, person: str | None = None
    ) -> dict[str, Any]:
        """Every touch (of ``kinds``) up to ``as_of`` of every pair (or of ``person``'s
        pairs, seen from them: ``a`` is ``person``) as numpy columns, in time order within
        each pair: ``a``, ``b`` (keys), ``at`` (``datetime64[us]``, UTC), ``kind``,
        ``role``, ``direction``, ``giver``, ``opens`` (+1: ``a``; -1: ``b``; 0: nobody),
        ``personalized``, ``factor``. The values of :meth:`all_pair_facts` (and of
        :meth:`pair_facts`) without an object per touch; weigh them with
        :meth:`ledger.DecayModel.weigh_table`."""
        until = to_micros(_moment(as_of))
        views, number = self._views.views, None
        if person is None:
            self.catch_up()
            rows = self._views.network_rows()
        else:
            number = self._number(person, "person")
            with self._views.read() as c:
                pairs = _queries.person_pairs(views, c, number)
                rows = standing(_queries.rows_of_pairs(views, c, pairs, until), until)
        keep = rows["t"] <= until
        if kinds is not None:
            keep &= np.isin(rows["kind"], [KIND_CODE[Kind(k)] for k in kinds])
        rows = {n: v[keep] for n, v in rows.items()}
        with self._views.read() as c:
            wanted: list[int] | None = None
            if number is not None:  # only the people of these pairs, not everyone
                seen = np.unique(rows["pair"])
                wanted = np.unique(np.concatenate([seen >> 32, seen & 0xFFFFFFFF])).tolist()
            keys = {n: p[2] for n, p in _queries.people(views, c, wanted).items()}
        return fact_columns(rows, number, keys)

    def attributes_at(self, as_of: TimeLike = None) -> dict[str, dict[str, Any]]:
        """Every person's attributes in force at ``as_of``, by key."""
        self.catch_up()
        t = to_micros(_moment(as_of))
        with self._views.read() as c:
            keys = {n: p[2] for n, p in _queries.people(self._views.views, c).items()}
            values = _queries.attributes_at(self._views.views, c, t)
        return {keys[n]: v for n, v in values.items() if n in keys}

    def cards(self, as_of: TimeLike = None) -> list[PersonView]:
        """Everyone, as :meth:`Ledger.person` shows them (each merge group once, under
        the person it was merged into: their identifiers and aliases included), with
        their attributes as of ``as_of``, in one read; sorted by key."""
        self.catch_up()
        moment = _moment(as_of)
        views = self._views.views
        with self._views.read() as c:
            people = _queries.people(views, c)
            values = _queries.attributes_at(views, c, to_micros(moment))
            identifiers = _queries.all_identifiers(views, c)
            aliases = _queries.all_aliases(views, c)
            merged = [n for numbers in aliases.values() for n in numbers]
            alias_keys = {n: p[2] for n, p in _queries.people(views, c, merged).items()}
        found = []
        for number, (_, _, key, name) in people.items():
            merged_in = [alias_keys[n] for n in aliases.get(number, ()) if n in alias_keys]
            attributes = dict(values.get(number, {}))
            shown = attributes.pop("name", name)
            found.append(
                PersonView(
                    key=key,
                    as_of=moment,
                    name=shown,
                    attributes=attributes,
                    identifiers=tuple(identifiers.get(number, ())),
                    aliases=tuple(merged_in),
                )
            )
        return sorted(found, key=lambda view: view.key)

    def introductions(self, as_of: TimeLike = None) -> list[Introduction]:
        """Introductions of two people (not retracted) up to ``as_of``, in time order."""
        found = []
        for a, b, fact in self.all_pair_facts(as_of, kinds=[Kind.INTRODUCTION]):
            if fact.role == "introduced":
                found.append((fact.at, fact.touchpoint_id, a, b))
        brokers: dict[str, str] = {}
        for a, b, fact in self.all_pair_facts(as_of, kinds=[Kind.INTRODUCTION]):
            if fact.role == "direct":
                broker = a if fact.direction > 0 else b
                brokers.setdefault(fact.touchpoint_id, broker)
        return [
            Introduction(tid, at, brokers.get(tid, ""), (a, b)) for at, tid, a, b in sorted(found)
        ]

    def snoozes(self) -> list[SnoozeFact]:
        """Every snooze stored, in log order."""
        self.catch_up()
        views = self._views.views
        with self._views.read() as c:
            rows = _queries.snoozes(views, c)
            keys = {
                n: p[2]
                for n, p in _queries.people(views, c, [x for r in rows for x in r[1:3]]).items()
            }
        return [
            SnoozeFact(keys[a], keys[b], from_micros(since), from_micros(until), reason)
            for _, a, b, since, until, reason in rows
            if a in keys and b in keys
        ]

    def merges(self) -> list[MergeFact]:
        """Every merge stored, in log order (undone ones too)."""
        self.catch_up()
        views = self._views.views
        with self._views.read() as c:
            rows = _queries.merges(views, c)
            own = numbers_of(views, c, [p for r in rows for p in r[1:3]], own=True)
            keys = {n: p[2] for n, p in _queries.people(views, c, list(own.values())).items()}
        return [
            MergeFact(
                merge_id=merge.hex(),
                into=keys.get(own.get(into, -1), ""),
                other=keys.get(own.get(other, -1), ""),
                recorded_at=from_micros(at),
                undone=undone,
                into_id=into.hex(),
                other_id=other.hex(),
            )
            for merge, into, other, at, undone in rows
        ]

    def _own(self, key: str) -> str:
        """The id of the person ``key`` names themselves (not who they were merged into)."""
        key = check_key(key, "key")
        self.catch_up()
        with self._views.read() as c:
            found = _queries.person_by_key(self._views.views, c, key, own=True)
        if found is None:
            raise UnknownPersonError("key", key)
        return found[1].hex()

    def settings_history(self) -> list[SettingsChange]:
        """Every change of the settings, as stored in the log: what, when, by whom."""
        from eventsourcing.application import AggregateNotFoundError  # noqa: PLC0415

        try:
            events: list[Any] = list(self._store.app.events.get(SETTINGS_ID))
        except AggregateNotFoundError:
            return []
        # None: the owner cleared (forgotten); no person to show by key
        owners = {str(e.changes["owner"]) for e in events if e.changes.get("owner") is not None}
        keys = {}
        if owners:
            self.catch_up()
            with self._views.read() as c:
                for owner in owners:  # shown by key, as everywhere else
                    found = self._people(c, by_id=[bytes.fromhex(owner)])
                    keys[owner] = next(iter(found.values()), owner)
        return [
            SettingsChange(
                e.originator_version,
                e.timestamp,
                {k: keys.get(str(v), v) if k == "owner" else v for k, v in e.changes.items()},
                e.actor,
            )
            for e in events
        ]

    def verify(self, progress: Any = None) -> list[str]:
        """Differences between the persisted views and a replay of the log up to the
        same position (empty when they agree). Writes nothing to the ledger."""
        self.catch_up()
        return differences(self._views, progress)

    # -- internals ---------------------------------------------------------------------
    def _number(self, key: str, field: str) -> int:
        key = check_key(key, field)
        self.catch_up()
        with self._views.read() as c:
            found = _queries.person_by_key(self._views.views, c, key)
        if found is None:
            raise UnknownPersonError(field, key)
        return found[0]

    def _person_id(self, key: str, field: str) -> str:
        key = check_key(key, field)
        self.catch_up()
        with self._views.read() as c:
            found = _queries.person_by_key(self._views.views, c, key)
        if found is None:
            raise UnknownPersonError(field, key)
        return found[1].hex()

    def _people(
        self, c: Any, numbers: list[int] | None = None, by_id: list[bytes] | None = None
    ) -> dict[int, str]:
        views = self._views.views
        if by_id is not None:
            from ledger.views._writes import numbers_of  # noqa: PLC0415

            numbers = list(numbers_of(views, c, by_id).values())
        return {n: p[2] for n, p in _queries.people(views, c, numbers).items()}

    def _attributes(self, c: Any, number: int, t: int) -> dict[str, Any]:
        return _queries.attributes_at(self._views.views, c, t, number).get(number, {})

    def _touch_hex(self, touchpoint_id: object) -> str:
        text = str(touchpoint_id).strip().lower().replace("-", "")
        if not _HEX.fullmatch(text):
            raise UnknownTouchpointError(str(touchpoint_id))
        return text

    def _rows_of_touch(self, c: Any, at: int) -> Any:
        """The pair rows of the touch stored at ``at`` (retracted or not)."""
        batch = self._batches.get(self._views.views, c, at >> 20)
        if batch is None:
            return _queries.pair_rows(self._views.views, c, -1)
        from ledger.views._writes import _split  # noqa: PLC0415

        columns = _split(self._views.views, c, batch)
        keep = columns["touch"] == at
        rows = {n: v[keep] for n, v in columns.items()}
        found = _queries.rows_of_pairs(self._views.views, c, sorted(set(rows["pair"].tolist())))
        mine = found["touch"] == at
        return {n: v[mine] for n, v in found.items()}


def _pair(x: int, y: int) -> int:
    return (min(x, y) << 32) | max(x, y)


def _moment(value: TimeLike) -> datetime:
    from datetime import UTC  # noqa: PLC0415

    return datetime.now(UTC) if value is None else parse_time(value, "as_of")
