"""The Python API: open a ledger by URL, record facts, ask how relationships stand."""

from __future__ import annotations

import getpass
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from numpy.typing import NDArray

from ledger.api._batch import LedgerBatch, TimeLike
from ledger.api._convert import pair_columns, pair_views, touch_numbers
from ledger.api._reading import Reading
from ledger.errors import InvalidInputError, StorageError, UnknownPersonError, quote
from ledger.facts.time import parse_time, to_micros
from ledger.facts.values import Touch, check_key
from ledger.projections.decay import DecayModel, check_half_life, check_weight, check_weights
from ledger.projections.depth import DepthLevel
from ledger.projections.reciprocity import coefficient
from ledger.store import Batch, RecordSummary, collector_paused, open_store
from ledger.store.audit import AuditReport, run_audit
from ledger.store.checkpoint import make_checkpoint, read_checkpoint
from ledger.store.keys import Secret, parse_key
from ledger.views import LedgerViews, Progress, _queries, ddl
from ledger.views._rows import check_zone
from ledger.views.results import NetworkSummary, PairView, PersonView

__all__ = ["Ledger"]

_LEVEL_NAMES = tuple(level.label for level in DepthLevel)


class Ledger(Reading):
    """A relationship ledger stored at ``url`` (see :func:`ledger.open`).

    ``create=False`` refuses to open a ledger that does not exist yet (a read must not
    silently start an empty one). An encrypted ledger opens with its ``passphrase`` or
    ``key`` (32 bytes; default ``$LEDGER_PASSPHRASE`` / ``$LEDGER_KEY``); a new ledger
    is created encrypted with ``encrypt=True`` (see ``docs/privacy.md``).

    ``read_only=True`` never writes: questions are answered from the views as a worker
    (``ledger worker``, :meth:`follow`) keeps them; :attr:`pending` says how far behind
    they are. A database role that may only read (docs/privacy.md) opens this way.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        create: bool = True,
        passphrase: str | None = None,
        key: bytes | str | None = None,
        encrypt: bool = False,
        read_only: bool = False,
    ) -> None:
        self.read_only = read_only
        secret = secret_of(passphrase, key)
        if encrypt and secret is None:
            raise InvalidInputError(
                "encrypt", True, "an encrypted ledger needs a passphrase or a key"
            )
        self._store = open_store(url, ddl, create=create, secret=secret, encrypt=encrypt)
        self.url = self._store.url  # never shows a password
        try:
            self._views = LedgerViews(self._store)
        except BaseException:
            self._store.close()
            raise
        super().__init__()

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

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
                unit._batch.settings({"owner": None}, _user())
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
            unit.set_owner(key, actor=actor or _user())
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
            unit._batch.settings(changes, actor or _user())
        self.catch_up()

    # -- relationships -----------------------------------------------------------------
    def pair(self, a: str, b: str, as_of: TimeLike = None, **model: Any) -> PairView | None:
        """How ``a`` and ``b`` stood at ``as_of`` (default now); None if not yet in touch.
        ``half_life_days``/``weights`` ask under another decay model."""
        x, y = self._number(a, "a"), self._number(b, "b")
        if x == y:
            raise InvalidInputError("b", b, "a pair is two different people")
        moment, decay = _moment(as_of, "as_of"), self._model(**model)
        with self._views.read() as c:
            found = self._views.pair_values(c, _pair(x, y), to_micros(moment), decay)
            views = self._pair_views(c, found, moment)
        return views[0] if views else None

    def relationships(self, person: str, as_of: TimeLike = None, **model: Any) -> list[PairView]:
        """Every relationship of ``person`` at ``as_of``, strongest first."""
        number = self._number(person, "person")
        moment, decay = _moment(as_of, "as_of"), self._model(**model)
        with self._views.read() as c:
            found = self._views.person_values(c, number, to_micros(moment), decay)
            views = self._pair_views(c, found, moment)
        return sorted(views, key=lambda v: (-v.strength, v.a, v.b))

    def pairs(self, as_of: TimeLike = None, **model: Any) -> list[PairView]:
        """Every relationship in the ledger at ``as_of``, strongest first."""
        self.catch_up()
        moment, decay = _moment(as_of, "as_of"), self._model(**model)
        found = self._views.network_values(to_micros(moment), decay)
        with self._views.read() as c:
            views = self._pair_views(c, found, moment)
        return sorted(views, key=lambda v: (-v.strength, v.a, v.b))

    def pair_table(self, as_of: TimeLike = None, **model: Any) -> dict[str, NDArray[Any]]:
        """Every relationship at ``as_of`` as columns (numpy arrays), for whole-network
        exports: one row per pair with ``a < b`` in key order, sorted by ``(a, b)``.

        Columns: ``a, b`` (keys); ``strength`` (under the model asked for, as
        :meth:`pairs`), ``touches``, ``first_touch_at``, ``last_touch_at``,
        ``last_exchange_at`` (``datetime64[us]`` in UTC, ``NaT`` for none),
        ``days_since_last_touch``; ``level``, ``live_touches``, ``two_way_days``;
        ``a_to_b``, ``b_to_a`` (openings), ``given_a_to_b``, ``given_b_to_a`` and per
        kind of help ``favors_a_to_b`` ... ``recommendations_b_to_a``. The same numbers
        as :meth:`pairs`, without building an object per pair.
        """
        self.catch_up()
        moment, decay = _moment(as_of, "as_of"), self._model(**model)
        found = self._views.network_values(to_micros(moment), decay)
        with self._views.read() as c:
            keys = self._people(c)
        return pair_columns(found, keys, moment)

    def network(self, as_of: TimeLike = None) -> NetworkSummary:
        moment = _moment(as_of, "as_of")
        views = self.pairs(moment)
        levels = Counter(view.depth.level_name for view in views)
        count = len(views)
        return NetworkSummary(
            as_of=moment,
            people=len({key for view in views for key in (view.a, view.b)}),
            pairs=count,
            depth_distribution={level: levels.get(level, 0) for level in _LEVEL_NAMES},
            inch_deep_share=levels.get("inch_deep", 0) / count if count else 0.0,
            one_way_share=levels.get("one_way", 0) / count if count else 0.0,
            reciprocity_coefficient=coefficient(
                (v.a, v.b, v.reciprocity.a_to_b, v.reciprocity.b_to_a) for v in views
            ),
            total_strength=math.fsum(view.strength for view in views),
        )

    def person(self, key: str, as_of: TimeLike = None) -> PersonView:
        """A person as of ``as_of``: found by their key or any identifier on their card,
        and answered for the person merges made them (aliases: who was merged in)."""
        number = self._number(key, "key")
        moment = _moment(as_of, "as_of")
        with self._views.read() as c:
            values = self._attributes(c, number, to_micros(moment))
            found = _queries.people(self._views.views, c, [number])[number]
            aliases = _queries.merged_into(self._views.views, c, number)
            names = _queries.people(self._views.views, c, aliases)
            identifiers = _queries.identifiers(self._views.views, c, [number, *aliases])
        name = values.pop("name", found[3])
        return PersonView(
            key=found[2],
            as_of=moment,
            name=name,
            attributes=values,
            identifiers=tuple(identifiers),
            aliases=tuple(names[n][2] for n in aliases if n in names),
        )

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
        with self.batch() as unit:
            undone = found[-1]
            unit._batch.unmerge(undone.merge_id, reason, (undone.into_id, undone.other_id))
        self.catch_up()

    # -- maintenance -------------------------------------------------------------------
    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply events recorded since the views' position; return how many.
        ``progress`` is called after each page read with the events read so far.
        A read-only ledger applies nothing (a worker does)."""
        if self.read_only:
            self._views.read_settings()
            return 0
        return int(self._views.catch_up(progress))

    def follow(
        self,
        *,
        stop: Callable[[], bool] | None = None,
        wait_seconds: float = 1.0,
        progress: Progress | None = None,
    ) -> int:
        """Keep the views caught up with the log until ``stop()`` says so (forever by
        default): a projection worker. It waits for PostgreSQL's notification of new
        events (on SQLite it polls every ``wait_seconds``); each round is one
        transaction with its tracking position, so a worker stopped at any moment and
        started again applies every event exactly once."""
        if self.read_only:
            raise InvalidInputError("read_only", True, "a read-only ledger cannot keep the views")
        applied = 0
        with self._store.storage.waiter(self._store.app) as wait:
            while stop is None or not stop():
                applied += self.catch_up(progress)
                wait(wait_seconds)
        return applied

    def rebuild(self, progress: Progress | None = None) -> int:
        """Throw the views away and replay every event; return how many were applied."""
        self._writable()
        return int(self._views.rebuild(progress))

    def audit(
        self,
        expect_head: str | None = None,
        progress: Progress | None = None,
        *,
        checkpoint: bytes | None = None,
        public_key: bytes | None = None,
    ) -> AuditReport:
        """Check the stored log, its hash chain and the views (see ``docs/audit.md``).
        ``checkpoint`` (a file's bytes, with the ``public_key`` PEM it was signed for)
        names every event changed, removed or inserted before it."""
        signed = None
        if checkpoint is not None:
            if public_key is None:
                raise InvalidInputError(
                    "public_key", None, "a checkpoint is checked with its public key"
                )
            signed = read_checkpoint(checkpoint, public_key)
        return run_audit(self._store, self.verify, expect_head, progress, signed)

    def checkpoint(self, private_key: bytes) -> bytes:
        """A checkpoint of the log now, signed with the Ed25519 ``private_key`` (PEM):
        keep it where the database's writers cannot reach (see ``docs/audit.md``)."""
        return make_checkpoint(self._store, private_key)

    @property
    def chain_head(self) -> tuple[int, str]:
        """The hash chain's head as stored: the last chained notification id and its
        hash (hex; the genesis hash when the log is empty). Cheap, and unchecked: only
        :meth:`audit` verifies that the chain leads there."""
        with self._store.snapshot() as c:
            position, digest = self._store.chain.head(c)
        return position, digest

    @property
    def encrypted(self) -> bool:
        """Whether this ledger is encrypted at rest (``docs/privacy.md``)."""
        return bool(self._store.encrypted)

    @property
    def path(self) -> Path | None:
        """The SQLite file that holds this ledger; None in memory and on PostgreSQL."""
        storage = self._store.storage
        name = getattr(storage, "db_name", None)
        if getattr(storage, "memory", True) or not name:
            return None
        return Path(name)

    @property
    def position(self) -> int:
        """The notification id the views have reached."""
        return int(self._views.position)

    @property
    def log_position(self) -> int:
        """The notification id of the log's last event (0 for an empty log)."""
        return int(self._store.app.recorder.max_notification_id() or 0)

    @property
    def pending(self) -> int:
        """How many events, at most, the views have yet to apply."""
        return max(0, self.log_position - self.position)

    @property
    def decay_model(self) -> DecayModel:
        """The decay model in force (a setting in the log; see :meth:`set_decay`)."""
        self.catch_up()
        model: DecayModel = self._views.model
        return model

    @property
    def timezone(self) -> str:
        self.catch_up()
        return str(self._views.zone)

    @property
    def owner(self) -> str | None:
        """Whose ledger this is ("me" in :mod:`ledger.insights`); None until set."""
        self.catch_up()
        owner = self._views.settings.get("owner")
        if owner is None:
            return None
        with self._views.read() as c:
            found = self._people(c, by_id=[bytes.fromhex(owner)])
        return next(iter(found.values()), None)

    # -- internals ---------------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise StorageError(
                f"read_only: {self.url} was opened read-only: it records and rebuilds nothing"
            )

    def _model(
        self, half_life_days: float | None = None, weights: Mapping[str, float] | None = None
    ) -> DecayModel:
        self.catch_up()
        model: DecayModel = self._views.model.merged(half_life_days, weights)
        return model

    def _pair_views(self, c: Any, found: Any, moment: datetime) -> list[PairView]:
        people = self._people(
            c, numbers=[n for p in found.pair.tolist() for n in (p >> 32, p & 0xFFFFFFFF)]
        )
        ids = self._store.tables.ids_at(c, touch_numbers(found))
        keys = {number: key for number, key in people.items()}
        return pair_views(found, keys, ids, moment)


def secret_of(passphrase: str | None, key: bytes | str | None) -> Secret | None:
    """What unlocks a ledger: the arguments, else ``$LEDGER_PASSPHRASE`` / ``$LEDGER_KEY``."""
    passphrase = passphrase if passphrase is not None else os.environ.get("LEDGER_PASSPHRASE")
    key = key if key is not None else os.environ.get("LEDGER_KEY")
    if isinstance(key, str):
        key = parse_key(key)
    if passphrase is None and key is None:
        return None
    return Secret(passphrase=passphrase or None, key=key)


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError("reason", reason, "say why (it is kept with the fact)")
    return reason.strip()


def _pair(x: int, y: int) -> int:
    return (min(x, y) << 32) | max(x, y)


def _moment(value: TimeLike, field: str) -> datetime:
    return datetime.now(UTC) if value is None else parse_time(value, field)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
