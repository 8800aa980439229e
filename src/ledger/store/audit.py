"""``ledger audit``: the stored log checked end to end, and its tamper evidence.

One pass over the log in notification order, from the lowest id there is (a forged
row numbered 0 or below is read like any other), merged with the hash chain the ledger
writes beside it (:mod:`ledger.store.chain`), all in one snapshot of the database:

* every event decodes (its topic resolves, its upcasters run, a batch's columns agree);
* each aggregate's versions run 1, 2, 3, ... without a gap;
* every event has its chain entry and every chain entry its event: an event without
  one was inserted behind the ledger's back, an entry without an event was deleted;
* every entry's hash matches its event and the entry before it: a mismatch is an edit,
  reported at the first position where the chain breaks;
* the store's index of facts holds exactly the touchpoints and attribute changes of the
  log, where the log has them (an order-free digest of both sides);
* the persisted views agree with a replay of the log (``Ledger.verify``).

Memory stays flat: events are read a page at a time, and only each aggregate's last
version is kept (a ledger's aggregates are its batches: few). What this does and does
not protect against: ``docs/audit.md``.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import attrs
import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from ledger.facts.events import Attributes, Touches
from ledger.store._open import Store
from ledger.store._read import RawEvent, pages, read_events
from ledger.store._tables import touch_at
from ledger.store.chain import GENESIS, LOWEST, Link, link
from ledger.store.checkpoint import Checkpoint, compare, event_hash

__all__ = ["MAX_PROBLEMS", "AuditProblem", "AuditReport", "run_audit"]

MAX_PROBLEMS = 1_000
"""Problems listed at most; one more entry says how many were left out."""

_PAGE = 200
_TOUCHES = get_topic(Touches.Recorded)
_ATTRIBUTES = get_topic(Attributes.Changed)
_MASK = (1 << 64) - 1


@attrs.frozen
class AuditProblem:
    """Something wrong in the log; ``position`` is its notification id, if it has one.

    ``kind`` is one of ``undecodable``, ``version``, ``inserted``, ``deleted``,
    ``edited``, ``head``, ``index``, ``projection``, ``truncated``.
    """

    position: int | None
    kind: str
    message: str


@attrs.frozen
class AuditReport:
    """What an audit found: ``ok`` when there are no problems."""

    events: int
    counts: dict[str, int]
    """Stored events per ``"topic vN"`` (N: the class version they were stored with)."""
    problems: tuple[AuditProblem, ...]
    head: str
    """The chain's head hash (hex): note it elsewhere, pass it back as ``expect_head``."""
    facts: int = 0
    """Touchpoints and attribute changes in the log."""
    after_checkpoint: int | None = None
    """With a checkpoint: how many events were stored after it."""
    not_checked: tuple[str, ...] = ()
    """What this audit could not check, and why (a read-only role: the views)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "facts": self.facts,
            "counts": dict(self.counts),
            "problems": [attrs.asdict(problem) for problem in self.problems],
            "head": self.head,
            "after_checkpoint": self.after_checkpoint,
            "not_checked": list(self.not_checked),
        }


def run_audit(
    store: Store,
    verify: Callable[[], list[str]] | None = None,
    expect_head: str | None = None,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
) -> AuditReport:
    """Audit the store's log; ``verify`` compares the views with a replay; a signed
    ``checkpoint`` names what changed before it."""
    audit = _Audit(store, expect_head, checkpoint)
    with store.snapshot() as c:
        if verify is not None and not store.may_read_keys(c):
            # A replay opens every card with its person's key, which a read-only role
            # may not read: the log, its chain and the index are still checked.
            verify = None
            audit.not_checked.append(
                "views: not compared with a replay of the log: this database role may "
                "not read the people's keys (docs/privacy.md)"
            )
        logged, chained, _ = store.chain.bounds(c)
        stop = max(logged, chained)
        for position, event, entry in _merge(
            _events(store, c, stop, progress), store.chain.links(c, stop)
        ):
            audit.step(position, event, entry)
        audit.check_index(c)
    if expect_head is not None and not audit.found_expected:
        audit.problem(
            None,
            "head",
            f"the expected head {expect_head} is not in the chain: the log was rewritten, "
            "or the head belongs to another ledger",
        )
    if checkpoint is not None:
        audit.check_checkpoint()
    if verify is not None:
        for difference in _views(verify):
            audit.problem(None, "projection", difference)
    return audit.report()


class _Audit:
    """The running state of one pass over the log."""

    def __init__(
        self, store: Store, expect_head: str | None, checkpoint: Checkpoint | None
    ) -> None:
        self.store = store
        self.checkpoint = checkpoint
        self.before: dict[int, str] = {}
        self.after = 0
        self.mapper = store.app.mapper
        self.expect = None if expect_head is None else expect_head.strip().lower()
        self.found_expected = self.expect == GENESIS.hex()  # an empty ledger's head
        self.counts: Counter[str] = Counter()
        self.versions: dict[str, int] = {}
        self.problems: list[AuditProblem] = []
        self.not_checked: list[str] = []
        self.left_out = 0
        self.events = 0
        self.facts = 0
        self.digest = 0
        self.prev = GENESIS
        self.head = GENESIS.hex()

    def problem(self, position: int | None, kind: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(AuditProblem(position, kind, message))
        else:
            self.left_out += 1

    def report(self) -> AuditReport:
        problems = list(self.problems)
        if self.left_out:
            problems.append(AuditProblem(None, "truncated", f"{self.left_out} more not listed"))
        return AuditReport(
            self.events,
            dict(sorted(self.counts.items())),
            tuple(problems),
            self.head,
            self.facts,
            None if self.checkpoint is None else self.after,
            tuple(self.not_checked),
        )

    def check_checkpoint(self) -> None:
        assert self.checkpoint is not None
        found = compare(self.checkpoint, self.before, self.after)
        made = self.checkpoint.made_at
        for nid in found.changed:
            self.problem(nid, "edited", f"event {nid} was changed since the checkpoint of {made}")
        for nid in found.removed:
            self.problem(nid, "deleted", f"event {nid} was removed since the checkpoint of {made}")
        for nid in found.inserted:
            self.problem(
                nid, "inserted", f"event {nid} was inserted before the checkpoint of {made}"
            )

    def step(self, position: int, event: RawEvent | None, entry: Link | None) -> None:
        if event is not None and self.checkpoint is not None:
            if event[0] <= self.checkpoint.position:
                self.before[event[0]] = event_hash(*event)
            else:
                self.after += 1
        if event is not None:
            self.events += 1
            self._decode(event)
            self._version(event)
        if entry is None:
            assert event is not None
            self.problem(
                position,
                "inserted",
                f"event {_name(event)} has no entry in the hash chain: "
                "it was inserted behind the ledger's back",
            )
            return
        if event is None:
            self.problem(
                position,
                "deleted",
                f"the hash chain holds {entry.originator_id} v{entry.originator_version} "
                "but the log has no event there: it was deleted behind the ledger's back",
            )
        else:
            self._link(position, event, entry)
        self.prev = _unhex(entry.hash)
        self.head = entry.hash
        if entry.hash.lower() == self.expect:
            self.found_expected = True

    def _link(self, position: int, event: RawEvent, entry: Link) -> None:
        _nid, oid, version, _topic, _state = event
        expected = _rehash(self.prev, event, self.store.chain.key)
        same = (oid, version) == (entry.originator_id, entry.originator_version)
        if expected.hex() != entry.hash or not same:
            self.problem(
                position,
                "edited",
                f"the hash chain breaks at event {_name(event)}: it, or the chain "
                "entry there or just before it, was edited behind the ledger's back",
            )

    def _decode(self, event: RawEvent) -> None:
        nid, oid, version, topic, state = event
        self.counts[f"{topic} v{_stored_version(self.mapper, state)}"] += 1
        try:
            decoded: Any = self.mapper.to_domain_event(
                StoredEvent(UUID(oid), version, topic, state)
            )
            if topic == _TOUCHES:
                self._touches(nid, decoded)
            elif topic == _ATTRIBUTES:
                self._facts(nid, [row[0] for row in decoded.changes])
        except Exception as error:  # any failure to decode is the finding
            self.problem(
                nid, "undecodable", f"event {_name(event)}: {type(error).__name__}: {error}"
            )

    def _touches(self, nid: int, event: Any) -> None:
        Touches.check(vars(event))
        self._facts(nid, [event.ids[32 * i : 32 * i + 32] for i in range(len(event.t))])

    def _facts(self, nid: int, ids: list[str]) -> None:
        for row, identity in enumerate(ids):
            self.digest = (self.digest + _mix(bytes.fromhex(identity), touch_at(nid, row))) & _MASK
        self.facts += len(ids)

    def _version(self, event: RawEvent) -> None:
        nid, oid, version, _, _ = event
        last = self.versions.get(oid, 0)
        if version != last + 1:
            self.problem(nid, "version", f"{oid} v{version} follows v{last}: expected v{last + 1}")
        self.versions[oid] = version if isinstance(version, int) else last + 1

    def check_index(self, c: Any) -> None:
        """The store's facts index against the log (both as an order-free digest)."""
        c.execute(self.store.tables.sql("SELECT id, at FROM {facts}"))
        count, digest = 0, 0
        for rows in pages(c, 20_000):
            for row in rows:
                digest = (digest + _mix(bytes(row["id"]), int(row["at"]))) & _MASK
            count += len(rows)
        if (count, digest) != (self.facts, self.digest):
            self.problem(
                None,
                "index",
                f"the store's index of facts ({count} rows) does not match the log's "
                f"{self.facts} touchpoints and attribute changes: it was edited behind the "
                "ledger's back (re-imports could be taken for new facts, or dropped)",
            )


def _mix(identity: bytes, at: int) -> int:
    return int.from_bytes(identity[:8], "big") ^ ((at * 0x9E3779B97F4A7C15) & _MASK)


def _merge(
    events: Iterator[RawEvent], links: Iterator[Link]
) -> Iterator[tuple[int, RawEvent | None, Link | None]]:
    """Both streams side by side by notification id."""
    event, entry = next(events, None), next(links, None)
    while event is not None or entry is not None:
        if entry is None or (event is not None and event[0] < entry.notification_id):
            assert event is not None
            yield event[0], event, None
            event = next(events, None)
        elif event is None or entry.notification_id < event[0]:
            yield entry.notification_id, None, entry
            entry = next(links, None)
        else:
            yield event[0], event, entry
            event, entry = next(events, None), next(links, None)


def _events(
    store: Store, c: Any, stop: int, progress: Callable[[int], None] | None
) -> Iterator[RawEvent]:
    after, read = LOWEST, 0
    while True:
        page = read_events(store.storage, c, after, stop, _PAGE)
        yield from page
        read += len(page)
        if progress is not None and page:
            progress(read)
        if len(page) < _PAGE:
            return
        after = page[-1][0]


def _views(verify: Callable[[], list[str]]) -> list[str]:
    try:
        return verify()
    except Exception as error:  # e.g. damaged views: the finding, not a crash
        return [f"the views could not be compared with a replay of the log: {error}"]


def _rehash(prev: bytes, event: RawEvent, key: bytes | None = None) -> bytes:
    """The hash the chain should hold for ``event``; never matching a malformed row."""
    nid, oid, version, topic, state = event
    try:
        raw = state.encode() if isinstance(state, str) else bytes(state)
        return link(prev, nid, oid, version, str(topic), raw, key)
    except (TypeError, ValueError, OverflowError, struct.error):  # edited into another type
        return b""


def _stored_version(mapper: Any, state: Any) -> int:
    """The class version an event was stored with (eventsourcing omits it when 1)."""
    try:
        data = bytes(state)
        if mapper.cipher is not None:
            data = mapper.cipher.decrypt(data)
        if mapper.compressor is not None:
            data = mapper.compressor.decompress(data)
        if b'"class_version"' not in data:
            return 1
        value = orjson.loads(data).get("class_version", 1)
    except Exception:  # undecodable: reported by the decode step
        return 1
    return value if isinstance(value, int) else 1


def _name(event: RawEvent) -> str:
    return f"{event[1]} v{event[2]} ({event[3]})"


def _unhex(value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError:
        return b""  # an edited chain entry: the next one cannot match, and is reported
