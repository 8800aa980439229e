"""The views: what the events say about people and pairs, kept beside the log.

:class:`LedgerViews` is the one door the API uses: it catches the views up with the
log, rebuilds them when what they were computed with changed (the folds' definitions,
the time zone), and answers questions about one pair, one person or everyone as of any
time, under any decay model. The settings (decay model, time zone, owner) are facts in
the log; the views fold them like everything else.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from ledger.errors import StorageError
from ledger.projections import LIVE_GROUP_LIMIT
from ledger.projections.decay import (
    DEFAULT_HALF_LIFE_DAYS,
    DEFAULT_WEIGHTS,
    DURATION_REFERENCE_SECONDS,
    DURATION_SCALE_SECONDS,
    SESSION_GAP_SECONDS,
    DecayModel,
)
from ledger.projections.depth import SUSTAINED_DAYS
from ledger.store import Store
from ledger.views import _queries
from ledger.views._catchup import Progress, catch_up, rebuild
from ledger.views._rows import Columns
from ledger.views._schema import Views, ddl
from ledger.views._values import PairValues, values

__all__ = ["FOLDS", "LedgerViews", "Progress", "ddl"]

FOLDS = (
    f"rows-v2 session={SESSION_GAP_SECONDS} time={DURATION_SCALE_SECONDS}/"
    f"{DURATION_REFERENCE_SECONDS} live<={LIVE_GROUP_LIMIT} sustained={SUSTAINED_DAYS}"
)
"""What the stored rows were computed with; a change rebuilds the views."""


@attrs.define
class _Network:
    """Every row, from the segments, as of a views position and generation (cached per
    object; a rebuild, by any object, starts a new generation at the same position)."""

    position: int
    generation: str | None
    rows: Columns


class LedgerViews:
    """The views of one ledger (one per :class:`ledger.Ledger`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.views = Views(store)
        self._network: _Network | None = None
        self._settings: dict[str, Any] = {}
        self._settings_at = -1

    # -- keeping up ------------------------------------------------------------------
    def catch_up(self, progress: Progress | None = None) -> int:
        if self.stored_fingerprint() != self.fingerprint(self._zone_in_log()):
            return self.rebuild(progress)  # new folds, a new schema, or another zone
        if self._settings_at != self.position:
            # Another ledger object (or process) moved the views, and with them perhaps
            # the settings: fold in, and answer with, the settings in force now.
            self._refresh_settings()
        applied, rebuild_due = catch_up(self.views, self.zone_stored(), progress)
        if applied:
            self._refresh_settings()
        if rebuild_due or self.fingerprint() != self.stored_fingerprint():
            applied += self.rebuild(progress)
        return applied

    def check_may_rebuild(self, what: str) -> None:
        """Refuse, before anything is stored, a change that refolds the views (``what``:
        a merge, an unmerge, a new time zone) when this database role may not rebuild
        them: stored, it would leave the views behind the log until the owner's role
        opened the ledger."""
        with self.views.read() as c:
            allowed = self.store.storage.may_own(c, "ledger_view_meta")
        if not allowed:
            raise StorageError(
                f"{self.store.where}: this database role may not rebuild the views, which "
                f"{what} needs; nothing was stored (run it as the ledger's owner role, "
                "see docs/privacy.md)"
            )

    def rebuild(self, progress: Progress | None = None) -> int:
        zone = self._zone_in_log()
        meta = {
            "fingerprint": self.fingerprint(zone),
            "generation": uuid.uuid4().hex,
            "zone": zone,  # what every row is folded in until the next rebuild
        }
        applied = rebuild(self.views, zone, meta, progress)
        self._refresh_settings()
        self._network = None
        return applied

    @property
    def position(self) -> int:
        return self.views.position()

    def fingerprint(self, zone: str | None = None) -> str:
        text = f"{FOLDS} zone={zone if zone is not None else self.zone}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def stored_fingerprint(self) -> str | None:
        with self.views.read() as c:
            try:
                return self.views.meta(c).get("fingerprint")
            except Exception:  # no meta table (damaged views): a rebuild makes it
                return None

    def zone_stored(self) -> str:
        """The zone the stored rows were folded in (what the settings say, once caught
        up; a rebuild follows a change)."""
        return (
            str(self._settings.get("timezone") or "UTC")
            if self._settings_at >= 0
            else self._zone_in_log()
        )

    def _zone_in_log(self) -> str:
        """The time zone the settings in the log name last (the views may be empty)."""
        from eventsourcing.application import AggregateNotFoundError  # noqa: PLC0415

        from ledger.facts.events import SETTINGS_ID  # noqa: PLC0415

        zone = "UTC"
        try:
            for event in self.store.app.events.get(SETTINGS_ID):
                zone = str(getattr(event, "changes", {}).get("timezone") or zone)
        except AggregateNotFoundError:
            pass
        return zone

    def read_settings(self) -> None:
        """Read the settings the views hold (a reader that never catches up)."""
        if self._settings_at != self.position:
            self._refresh_settings()

    def _refresh_settings(self) -> None:
        with self.views.read() as c:  # the settings and the position they hold at, together
            self._settings = _queries.settings(self.views, c)
            self._settings_at = self.views.position_in(c)

    # -- settings ---------------------------------------------------------------------
    @property
    def settings(self) -> dict[str, Any]:
        return dict(self._settings)

    @property
    def zone(self) -> str:
        return str(self._settings.get("timezone") or "UTC")

    @property
    def model(self) -> DecayModel:
        """The decay model in force."""
        half_life = self._settings.get("half_life_days", DEFAULT_HALF_LIFE_DAYS)
        weights = {**DEFAULT_WEIGHTS, **self._settings.get("weights", {})}
        return DecayModel(float(half_life), {str(k): float(v) for k, v in weights.items()})

    # -- questions --------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Any]:
        with self.views.read() as c:
            yield c

    def pair_values(self, c: Any, pair: int, t: int, model: DecayModel) -> PairValues:
        return values(_queries.pair_rows(self.views, c, pair, t), t, model)

    def person_values(self, c: Any, person: int, t: int, model: DecayModel) -> PairValues:
        pairs = _queries.person_pairs(self.views, c, person)
        return values(_queries.rows_of_pairs(self.views, c, pairs, t), t, model)

    def network_values(self, t: int, model: DecayModel) -> PairValues:
        return values(self.network_rows(), t, model)

    def network_rows(self) -> Columns:
        """Every row that stands (cached for this object while the views stand still)."""
        with self.views.read() as c:
            position = self.views.position_in(c)
            generation = self.views.meta(c).get("generation")
            cached = self._network
            if cached is None or (cached.position, cached.generation) != (position, generation):
                cached = _Network(position, generation, _queries.network_rows(self.views, c))
                self._network = cached
        return cached.rows
