"""``ledger audit``: the stored log checked end to end, and its tamper evidence.

One pass over the log in notification order, merged with the hash chain the ledger
writes beside it (:mod:`ledger.store.chain`):

* every event decodes (its topic resolves, its upcasters run);
* each aggregate's versions run 1, 2, 3, ... without a gap;
* every event has its chain entry and every chain entry its event: an event without
  one was inserted behind the ledger's back, an entry without an event was deleted;
* every entry's hash matches its event and the entry before it: a mismatch is an edit,
  reported at the first position where the chain breaks;
* the persisted views agree with a replay of the log (``Ledger.verify``).

What this does and does not protect against: ``docs/audit.md``.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import attrs
import orjson
from eventsourcing.persistence import Notification

from ledger.store.chain import GENESIS, Chain, Link, link

__all__ = ["MAX_PROBLEMS", "AuditProblem", "AuditReport", "run_audit"]

MAX_PROBLEMS = 1_000
"""Problems listed at most; one more entry says how many were left out."""

_PAGE = 5_000


@attrs.frozen
class AuditProblem:
    """Something wrong in the log; ``position`` is its notification id, if it has one.

    ``kind`` is one of ``undecodable``, ``version``, ``inserted``, ``deleted``,
    ``edited``, ``head``, ``projection``, ``truncated``.
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

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "counts": dict(self.counts),
            "problems": [attrs.asdict(problem) for problem in self.problems],
            "head": self.head,
        }


def run_audit(
    app: Any,
    chain: Chain,
    verify: Callable[[], list[str]] | None = None,
    expect_head: str | None = None,
) -> AuditReport:
    """Audit the application's log against ``chain``; ``verify`` compares the views."""
    # Both ends read in one snapshot: later writes (events and chain rows, committed
    # together) lie beyond ``stop``, so a write during the audit is no false alarm.
    stop = max(chain.bounds())
    audit = _Audit(app.mapper, expect_head)
    for position, event, entry in _merge(_events(chain, stop), chain.links(stop)):
        audit.step(position, event, entry)
    if expect_head is not None and not audit.found_expected:
        audit.problem(
            None,
            "head",
            f"the expected head {expect_head} is not in the chain: the log was rewritten, "
            "or the head belongs to another ledger",
        )
    if verify is not None:
        for difference in _views(verify):
            audit.problem(None, "projection", difference)
    return audit.report()


class _Audit:
    """The running state of one pass over the log."""

    def __init__(self, mapper: Any, expect_head: str | None) -> None:
        self.mapper = mapper
        self.expect = None if expect_head is None else expect_head.strip().lower()
        self.found_expected = False
        self.counts: Counter[str] = Counter()
        self.versions: dict[Any, int] = {}
        self.problems: list[AuditProblem] = []
        self.left_out = 0
        self.events = 0
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
            self.events, dict(sorted(self.counts.items())), tuple(problems), self.head
        )

    def step(self, position: int, event: Notification | None, entry: Link | None) -> None:
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

    def _link(self, position: int, event: Notification, entry: Link) -> None:
        expected = _rehash(self.prev, event)
        oid = event.originator_id.hex if isinstance(event.originator_id, UUID) else None
        same_event = (oid, event.originator_version) == (
            entry.originator_id,
            entry.originator_version,
        )
        if expected.hex() != entry.hash or not same_event:
            self.problem(
                position,
                "edited",
                f"the hash chain breaks at event {_name(event)}: it, or the chain "
                "entry there or just before it, was edited behind the ledger's back",
            )

    def _decode(self, event: Notification) -> None:
        self.counts[f"{event.topic} v{_stored_version(event.state)}"] += 1
        try:
            self.mapper.to_domain_event(event)
        except Exception as error:  # any failure to decode is the finding
            self.problem(event.id, "undecodable", f"event {_name(event)}: {error}")

    def _version(self, event: Notification) -> None:
        last = self.versions.get(event.originator_id, 0)
        version = event.originator_version
        if version != last + 1:
            self.problem(
                event.id,
                "version",
                f"{event.originator_id} v{version} follows v{last}: expected v{last + 1}",
            )
        self.versions[event.originator_id] = version if isinstance(version, int) else last + 1


def _merge(
    events: Iterator[Notification], links: Iterator[Link]
) -> Iterator[tuple[int, Notification | None, Link | None]]:
    """Both streams side by side by notification id."""
    event, entry = next(events, None), next(links, None)
    while event is not None or entry is not None:
        if entry is None or (event is not None and event.id < entry.notification_id):
            assert event is not None
            yield event.id, event, None
            event = next(events, None)
        elif event is None or entry.notification_id < event.id:
            yield entry.notification_id, None, entry
            entry = next(links, None)
        else:
            yield event.id, event, entry
            event, entry = next(events, None), next(links, None)


def _events(chain: Chain, stop: int) -> Iterator[Notification]:
    """The log up to ``stop`` as stored, a page at a time.

    Rows are read as they are rather than through ``select_notifications``, which
    would fail a whole page on one malformed originator id instead of reporting it.
    """
    after = 0
    while True:
        page = chain.rows(after, stop, _PAGE)
        for row in page:
            yield Notification(
                id=int(row["id"]),
                originator_id=_originator(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]) if isinstance(row["state"], memoryview) else row["state"],
            )
        if len(page) < _PAGE:
            return
        after = int(page[-1]["id"])


def _views(verify: Callable[[], list[str]]) -> list[str]:
    try:
        return verify()
    except Exception as error:  # e.g. an undecodable event stops the replay
        return [f"the views could not be compared with a replay of the log: {error}"]


def _rehash(prev: bytes, event: Notification) -> bytes:
    """The hash the chain should hold for ``event``; never matching a malformed row."""
    state = event.state
    if isinstance(state, str):
        state = state.encode()
    try:
        return link(
            prev,
            event.id,
            event.originator_id,
            event.originator_version,
            str(event.topic),
            bytes(state),
        )
    except (TypeError, ValueError, OverflowError, struct.error):  # edited into another type
        return b""


def _stored_version(state: Any) -> int:
    """The class version an event was stored with (eventsourcing omits it when 1)."""
    if not isinstance(state, bytes | bytearray | memoryview) or b'"class_version"' not in state:
        return 1
    try:
        value = orjson.loads(bytes(state)).get("class_version", 1)
    except (orjson.JSONDecodeError, AttributeError):
        return 1
    return value if isinstance(value, int) else 1


def _originator(value: Any) -> Any:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return str(value)  # reported when it fails to decode


def _name(event: Notification) -> str:
    return f"{event.originator_id} v{event.originator_version} ({event.topic})"


def _unhex(value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError:
        return b""  # an edited chain entry: the next one cannot match, and is reported
