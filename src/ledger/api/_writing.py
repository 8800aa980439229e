"""The Ledger's writes: units of work, people, touchpoints, retractions, settings,
snoozes, identity and erasure (a mixin of :class:`ledger.Ledger`, which provides
``_store``, ``_views``, ``read_only``, ``url``, ``catch_up``, ``rebuild`` and
``decay_model``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from ledger.api._batch import LedgerBatch, TimeLike, actor_or_user
from ledger.api._reading import Reading
from ledger.errors import InvalidInputError, StorageError, UnknownPersonError, quote
from ledger.facts.values import Touch, check_key
from ledger.projections.decay import DecayModel, check_half_life, check_weight, check_weights
from ledger.store import Batch, RecordSummary, collector_paused
from ledger.views import Progress, _queries
from ledger.views._rows import check_zone

__all__ = ["Writing"]


class Writing(Reading):
    """Everything :class:`ledger.Ledger` records (its questions: :class:`Reading`)."""

    read_only: bool
    url: str

    def rebuild(self, progress: Progress | None = None) -> int:  # provided by Ledger
        raise NotImplementedError

    @property
    def decay_model(self) -> DecayModel:  # provided by Ledger
        raise NotImplementedError

    @property
    def timezone(self) -> str:  # provided by Ledger
        raise NotImplementedError

    # -- writing -----------------------------------------------------------------------
    @contextmanager
    def batch(
        self, *, create_people: bool = False, keep_ids: bool = False, allow_forgotten: bool = False
    ) -> Iterator[LedgerBatch]:
        """One unit of work: everything recorded through the yielded object is stored in
        one transaction, or, on any error (one raised by a lazy iterable of touches
        included), none of it. ``create_people`` registers unknown people named by
        touches; ``keep_ids`` keeps the id of every touch in the summary;
        ``allow_forgotten`` lets someone who was forgotten be recorded again (otherwise
        :class:`ForgottenPersonError`). A ledger opened ``read_only`` refuses
        (:class:`StorageError`)."""
        self._writable()
        with collector_paused(), self._store.writing() as txn:
            inner = Batch(
                self._store,
                txn,
                create_people=create_people,
                keep_ids=keep_ids,
                allow_forgotten=allow_forgotten,
            )
            unit = LedgerBatch(inner, datetime.now(UTC))
            yield unit
            unit.summary = inner.finish()

    def add_person(
        self,
        key: str,
        name: str | None = None,
        *,
        identifiers: Sequence[tuple[str, str]] = (),
        region: str | None = None,
        **attributes: Any,
    ) -> bool:
        """Register a person; attributes given here hold for all time; ``identifiers``:
        how other sources name them (see :meth:`LedgerBatch.add_person`). False if known."""
        with self.batch() as unit:
            return unit.add_person(key, name, identifiers=identifiers, region=region, **attributes)

    def update_person(self, key: str, since: TimeLike = None, **attributes: Any) -> None:
        """Attributes take new values from ``since`` on (default: now); None clears one."""
        with self.batch() as unit:
            unit.update_person(key, since, **attributes)

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
        with self.batch(keep_ids=True) as unit:
            return unit.record(touch)

    def record_many(
        self, touches: Iterable[Touch], *, create_people: bool = False, keep_ids: bool = True
    ) -> RecordSummary:
        """Record a batch atomically: all of it or, on any error, none of it.

        Touchpoints already recorded (same source, reference and content) are ignored
        and counted; ``create_people`` registers unknown people instead of failing.
        ``touches`` may be a lazy iterable: it is consumed once, in chunks, inside the
        one transaction. ``keep_ids=False`` leaves the summary's ``touchpoint_ids``
        empty, for streams too large to keep every id of.
        """
        with self.batch(create_people=create_people, keep_ids=keep_ids) as unit:
            unit.record_many(touches)
        assert unit.summary is not None
        return unit.summary

    def retract(self, touchpoint_id: str, reason: str) -> None:
        """Withdraw a touchpoint recorded in error. The log keeps both facts."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError("reason", reason, "say why the touchpoint is retracted")
        identity = self._touch_hex(touchpoint_id)
        with self.batch() as unit:
            unit.retract(identity, reason.strip())

    def forget(self, key: str, reason: str, *, scrub: bool = True) -> None:
        """Forget a person (crypto-shredding; see ``docs/privacy.md``): their key is
        destroyed, so their card, attributes and every note and reason that concerned
        them become unreadable; the views are rebuilt as if they had never been known;
        an erasure fact naming them only by an opaque id is recorded, and the audit
        still verifies the whole log. ``scrub`` then rewrites the database files so that
        no deleted page still holds what the views held about them. Everyone merged
        with them (:meth:`merge`) is forgotten with them: they are one human."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError(
                "reason", reason, "say why (without naming them): a request id, say"
            )
        # Everyone a merge made one with them is them: the whole group goes.
        number = self._number(key, "key")
        with self._views.read() as c:
            group = [number, *_queries.merged_into(self._views.views, c, number)]
            found = _queries.people(self._views.views, c, group)
        people = [found[n][1].hex() for n in group if n in found]
        owner = self._views.settings.get("owner")
        with self.batch() as unit:
            if owner in people:
                unit._batch.settings({"owner": None}, actor_or_user(None))
            for person in people:
                unit._batch.forget(person, reason.strip())
        self.rebuild()
        if scrub:
            self._store.scrub()

    def set_owner(self, key: str, *, actor: str | None = None) -> str:
        """Make the registered person ``key`` the owner: a setting, stored in the log
        (``actor``: who changed it, default the operating-system user)."""
        key = check_key(key, "key")
        with self.batch() as unit:
            unit.set_owner(key, actor=actor)
        return key

    def set_decay(
        self,
        half_life_days: float | None = None,
        weights: Mapping[str, float] | None = None,
        *,
        actor: str | None = None,
    ) -> DecayModel:
        """Change the default decay model (a setting, stored in the log: chained, audited,
        seen by every process at its next read); the model now in force. Weights not
        named keep their values."""
        changes: dict[str, Any] = {}
        if half_life_days is not None:
            changes["half_life_days"] = check_half_life(half_life_days)
        if weights:
            given = check_weights(weights)
            changes["weights"] = {str(k): check_weight(k, v) for k, v in given.items()}
        if not changes:
            raise InvalidInputError("settings", {}, "give a half-life or a weight to change")
        self._change_settings(changes, actor)
        return self.decay_model

    def set_timezone(self, zone: str, *, actor: str | None = None) -> str:
        """Set the ledger's time zone (an IANA name such as ``Europe/Paris``): days and
        weeks are counted in it. A setting in the log; the views are refolded once."""
        zone = check_zone(zone)
        if zone != self.timezone:
            self._views.check_may_rebuild("a new time zone")
        self._change_settings({"timezone": zone}, actor)
        return zone

    def snooze(
        self, a: str, b: str, since: datetime | str, until: datetime | str, reason: str | None
    ) -> None:
        """Store a snooze of the pair (a, b) from ``since`` until ``until`` (a fact)."""
        with self.batch() as unit:
            unit.snooze(a, b, since, until, reason)

    def _change_settings(self, changes: dict[str, Any], actor: str | None) -> None:
        with self.batch() as unit:
            unit._batch.settings(changes, actor_or_user(actor))
        self.catch_up()

    # -- identity ----------------------------------------------------------------------
    def identify(
        self, key: str, identifiers: Sequence[tuple[str, str]], *, region: str | None = None
    ) -> int:
        """Give a person more identifiers (``(kind, value)``: email, phone, url, handle,
        name); how many were new to the index (one claimed by someone else stays theirs:
        a likely duplicate, see ``ledger person duplicates``)."""
        with self.batch() as unit:
            return unit.identify(key, identifiers, region=region)

    def merge(self, into: str, other: str, reason: str) -> str:
        """Record that ``other`` is ``into``, one human: from now on, for every time asked
        about, their histories are one (a fact; :meth:`unmerge` undoes it). The merge's id."""
        reason = _reason(reason)
        self.catch_up()  # people registered since the last read are known to the views
        with self._views.read() as c:
            x = _queries.person_by_key(self._views.views, c, check_key(into, "into"))
            y = _queries.person_by_key(self._views.views, c, check_key(other, "other"))
        if x is None or y is None:
            raise UnknownPersonError("into" if x is None else "other", into if x is None else other)
        if x[0] == y[0]:
            raise InvalidInputError("other", other, f"is one person with {quote(into)} already")
        self._views.check_may_rebuild("a merge")
        with self.batch() as unit:
            merge = unit._batch.merge(x[1].hex(), y[1].hex(), reason)
        self.catch_up()
        return merge

    def unmerge(self, key: str, reason: str) -> None:
        """Undo the latest merge that made ``key`` part of someone else (or someone else
        part of them): the two are two people again, as if it had never been."""
        reason = _reason(reason)
        own = self._own(key)
        found = [m for m in self.merges() if not m.undone and own in (m.into_id, m.other_id)]
        if not found:
            raise InvalidInputError("key", key, "was not merged with anyone")
        self._views.check_may_rebuild("an unmerge")
        with self.batch() as unit:
            undone = found[-1]
            unit._batch.unmerge(undone.merge_id, reason, (undone.into_id, undone.other_id))
        self.catch_up()

    # -- internals ---------------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise StorageError(
                f"read_only: {self.url} was opened read-only: it records and rebuilds nothing"
            )


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError("reason", reason, "say why (it is kept with the fact)")
    return reason.strip()
