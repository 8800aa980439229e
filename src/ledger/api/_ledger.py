"""The Python API: open a ledger by URL, record facts, ask how relationships stand."""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from numpy.typing import NDArray

from ledger.api._batch import TimeLike
from ledger.api._convert import pair_columns, pair_views, touch_numbers
from ledger.api._writing import Writing
from ledger.errors import InvalidInputError
from ledger.facts.time import parse_time, to_micros
from ledger.projections.decay import DecayModel
from ledger.projections.depth import DepthLevel
from ledger.projections.reciprocity import coefficient
from ledger.store import open_store
from ledger.store.audit import AuditReport, run_audit
from ledger.store.checkpoint import make_checkpoint, read_checkpoint
from ledger.store.keys import Secret, parse_key
from ledger.views import LedgerViews, Progress, _queries, ddl
from ledger.views.results import NetworkSummary, PairView, PersonView

__all__ = ["Ledger"]

_LEVEL_NAMES = tuple(level.label for level in DepthLevel)


class Ledger(Writing):
    """A relationship ledger stored at ``url`` (see :func:`ledger.open`).

    ``create=False`` refuses to open a ledger that does not exist yet (a read must not
    silently start an empty one). An encrypted ledger opens with its ``passphrase`` or
    ``key`` (32 bytes; default ``$LEDGER_PASSPHRASE`` / ``$LEDGER_KEY``); a new ledger
    is created encrypted with ``encrypt=True`` (see ``docs/privacy.md``).

    ``read_only=True`` never writes: questions are answered from the views as a worker
    (``ledger worker``, :meth:`follow`) keeps them; :attr:`pending` says how far behind
    they are. A database role that may only read (docs/privacy.md) opens this way.

    Its writes are :class:`ledger.api._writing.Writing`'s, its questions about people,
    touchpoints and history :class:`ledger.api._reading.Reading`'s.
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


def _pair(x: int, y: int) -> int:
    return (min(x, y) << 32) | max(x, y)


def _moment(value: TimeLike, field: str) -> datetime:
    return datetime.now(UTC) if value is None else parse_time(value, field)
