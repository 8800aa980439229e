"""One round of facts written to the views (inside the catch-up's transaction).

People, attribute changes, settings and snoozes go to their tables; touches are split
into pair rows, retractions take rows out again, and the pairs touched are folded and
written (:mod:`ledger.views._refold`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from ledger.store import read_events
from ledger.store.recording import reason_key
from ledger.store.seal import SealError, unseal
from ledger.views import _refold
from ledger.views._decode import Batch, Round, decode
from ledger.views._schema import Views
from ledger.views._split import split

__all__ = ["BEGINNING_OF_TIME", "apply", "numbers_of"]

BEGINNING_OF_TIME = -(2**62)
"""``effective_t`` of attributes given at registration: in force as of any time."""
_IN = 500


def apply(views: Views, c: Any, found: Round, zone: str, store_c: Any = None) -> bool:
    """Write the facts of one round with cursor ``c``; ``store_c``: a cursor on the
    store's tables and events (the same one, unless the views live elsewhere, as the
    scratch views a verification replays into)."""
    store_c = c if store_c is None else store_c
    _people(views, c, found)
    _identified(views, c, found)
    _changes(views, c, found)
    _settings(views, c, found)
    _snoozes(views, c, store_c, found)
    merged = _merges(views, c, found)
    columns = _rows(views, c, found.batches)
    excluded, pairs = _retractions(views, c, store_c, found)
    _refold.write(views, c, columns, excluded, pairs, zone)
    # Someone was forgotten, or two people became one (or one two): the views are
    # rebuilt, so that every time asked about sees it (a group touch a forgotten person
    # took part in counts without them; a merged pair's history is one).
    return found.erasures > 0 or merged


def numbers_of(views: Views, c: Any, people: list[bytes], *, own: bool = False) -> dict[bytes, int]:
    """The person numbers of person ids (those the views know): of the person each was
    merged into, unless ``own``."""
    found: dict[bytes, int] = {}
    unique = list(dict.fromkeys(people))
    number = "no" if own else "COALESCE(canonical, no)"
    for start in range(0, len(unique), _IN):
        chunk = unique[start : start + _IN]
        marks = ", ".join("?" * len(chunk))
        c.execute(
            views.sql(f"SELECT id, {number} AS n FROM {{view_people}} WHERE id IN ({marks})"), chunk
        )
        found.update((bytes(row["id"]), int(row["n"])) for row in c.fetchall())
    return found


def _people(views: Views, c: Any, found: Round) -> None:
    if not found.people:
        return
    known = numbers_of(views, c, [card.id for card in found.people], own=True)
    c.execute(views.sql("SELECT COALESCE(MAX(no), 0) AS top FROM {view_people}"))
    top = int(c.fetchone()["top"])
    rows, attributes, identifiers = [], [], []
    for card in found.people:
        if card.id in known:
            continue  # registered twice (cannot happen through the store): the first stands
        top += 1
        known[card.id] = top
        digest = views.store.digest("key", card.key)
        sealed = views.sealed
        rows.append((top, card.id, sealed.text(card.key), digest, sealed.text(card.name)))
        attributes.append((top, "name", BEGINNING_OF_TIME, 0, _json(views, card.name)))
        attributes.extend(
            (top, field, BEGINNING_OF_TIME, 1, _json(views, value))
            for field, value in sorted(card.attributes.items())
        )
        identifiers.extend(_identifier_rows(views, top, card.identifiers))
    views.executemany(
        c, "INSERT INTO {view_people} (no, id, key, digest, name) VALUES (?, ?, ?, ?, ?)", rows
    )
    _insert_attributes(views, c, attributes)
    _insert_identifiers(views, c, identifiers)


def _identifier_rows(
    views: Views, number: int, pairs: list[tuple[str, str]]
) -> list[tuple[Any, ...]]:
    return [
        (number, views.store.digest(kind, value), kind, views.sealed.text(value))
        for kind, value in dict.fromkeys(pairs)
    ]


def _insert_identifiers(views: Views, c: Any, rows: list[tuple[Any, ...]]) -> None:
    views.executemany(
        c,
        "INSERT INTO {view_identifiers} (person, digest, kind, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        rows,
    )


def _identified(views: Views, c: Any, found: Round) -> None:
    if not found.identified:
        return
    numbers = numbers_of(views, c, [person for person, _ in found.identified], own=True)
    rows = [
        row
        for person, pairs in found.identified
        if person in numbers
        for row in _identifier_rows(views, numbers[person], pairs)
    ]
    _insert_identifiers(views, c, rows)


def _merges(views: Views, c: Any, found: Round) -> bool:
    """Record merges and unmerges; whether there were any (the caller rebuilds)."""
    views.executemany(
        c,
        "INSERT INTO {view_merges} (no, merge, into_id, other_id, at, undone) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        [tuple(m) for m in found.merges],
    )
    views.executemany(
        c, "UPDATE {view_merges} SET undone = 1 WHERE merge = ?", [(m,) for m in found.unmerges]
    )
    return bool(found.merges or found.unmerges)


def settle_merges(views: Views, c: Any) -> None:
    """Give every person the number of the person their merges make them (union-find
    over the merges not undone, in log order; a merge within one group changes nothing)."""
    c.execute(views.sql("SELECT into_id, other_id FROM {view_merges} WHERE undone = 0 ORDER BY no"))
    parent: dict[bytes, bytes] = {}

    def root(person: bytes) -> bytes:
        while person in parent:
            person = parent[person]
        return person

    for row in c.fetchall():
        into, other = root(bytes(row["into_id"])), root(bytes(row["other_id"]))
        if into != other:
            parent[other] = into
    c.execute(views.sql("UPDATE {view_people} SET canonical = NULL WHERE canonical IS NOT NULL"))
    if not parent:
        return
    own = numbers_of(views, c, list({*parent, *(root(p) for p in parent)}), own=True)
    updates = [(own[root(p)], own[p]) for p in parent if p in own and root(p) in own]
    views.executemany(c, "UPDATE {view_people} SET canonical = ? WHERE no = ?", updates)


def _changes(views: Views, c: Any, found: Round) -> None:
    if not found.changes:
        return
    numbers = numbers_of(views, c, [person for person, *_ in found.changes])
    rows = [
        (numbers[person], field, effective, seq, _json(views, value))
        for person, effective, seq, values in found.changes
        if person in numbers
        for field, value in sorted(values.items())
    ]
    _insert_attributes(views, c, rows)


def _insert_attributes(views: Views, c: Any, rows: list[tuple[Any, ...]]) -> None:
    views.executemany(
        c,
        "INSERT INTO {view_attributes} (person, field, effective_t, seq, value) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        rows,
    )


def _settings(views: Views, c: Any, found: Round) -> None:
    for changes in found.settings:
        c.execute(views.sql("SELECT key, value FROM {view_settings}"))
        current = {row["key"]: orjson.loads(row["value"]) for row in c.fetchall()}
        for key, value in changes.items():
            if key == "weights":
                current["weights"] = {**current.get("weights", {}), **value}
            else:
                current[key] = value
        views.executemany(
            c,
            "INSERT INTO {view_settings} (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(key, orjson.dumps(value).decode()) for key, value in current.items()],
        )


def _snoozes(views: Views, c: Any, store_c: Any, found: Round) -> None:
    if not found.snoozes:
        return
    numbers = numbers_of(views, c, [p for _, a, b, *_ in found.snoozes for p in (a, b)])
    views.executemany(
        c,
        "INSERT INTO {view_snoozes} (no, a, b, since, until, reason) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                nid,
                numbers[a],
                numbers[b],
                since,
                until,
                views.sealed.maybe(
                    _reason(views, store_c, [a, b], "snooze", [a.hex(), b.hex()], reason)
                ),
            )
            for nid, a, b, since, until, reason in found.snoozes
            if a in numbers and b in numbers
        ],
    )


def _rows(views: Views, c: Any, batches: list[Batch]) -> dict[str, NDArray[np.int64]]:
    """The pair rows of ``batches`` (rows with a person the views do not know left out:
    a forgotten person)."""
    parts = []
    for batch in batches:
        columns = _split(views, c, batch)
        unknown = (columns["pair"] >> 32) < 0
        if unknown.any():
            columns = {name: values[~unknown] for name, values in columns.items()}
        parts.append(columns)
    if not parts:
        return _refold.empty_columns()
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _retractions(views: Views, c: Any, store_c: Any, found: Round) -> tuple[set[int], set[int]]:
    """The touches retracted in this round and the stored pairs they touch; records why."""
    excluded: set[int] = set()
    pairs: set[int] = set()
    reasons = []
    store = views.store
    batches: dict[int, Batch] = {}
    for _, ids, sealed in found.retractions:
        stored = store.tables.stored_facts(store_c, [bytes.fromhex(i) for i in ids])
        places = [at for at, _, _ in stored.values()]
        people = _touch_people(views, store_c, places, batches)
        reason = _reason(views, store_c, people, "retraction", ids, sealed) or _GONE
        for at in places:
            excluded.add(at)
            reasons.append((at, views.sealed.text(reason)))
    for at in excluded:
        batch = _batch(views, store_c, at >> 20, batches)
        if batch is not None:
            pairs.update(_pairs_of_touch(views, c, batch, at & 0xFFFFF))
    views.executemany(
        c,
        "INSERT INTO {view_retracted} (touch, reason) VALUES (?, ?) ON CONFLICT DO NOTHING",
        reasons,
    )
    return excluded, pairs


_GONE = "(the reason went with a person who was forgotten)"


def _batch(views: Views, store_c: Any, nid: int, batches: dict[int, Batch]) -> Batch | None:
    if nid not in batches:
        holder = Round()
        decode(
            views.store, store_c, read_events(views.store.storage, store_c, nid - 1, nid, 1), holder
        )
        if holder.batches:
            batches[nid] = holder.batches[0]
    return batches.get(nid)


def _touch_people(
    views: Views, store_c: Any, places: list[int], batches: dict[int, Batch]
) -> list[bytes]:
    """Everyone who took part in the touchpoints stored at ``places``."""
    found: dict[bytes, None] = {}
    for at in places:
        batch = _batch(views, store_c, at >> 20, batches)
        if batch is not None:
            row = at & 0xFFFFF
            start = int(batch.size[:row].sum())
            who = batch.who[start : start + int(batch.size[row])].tolist()
            found.update(dict.fromkeys(batch.people[i] for i in who))
    return list(found)


def _reason(
    views: Views, store_c: Any, people: list[bytes], what: str, about: list[str], sealed: str | None
) -> str | None:
    """A reason sealed under the keys of everyone it concerns (see the recorder); None
    when one of them was forgotten."""
    if sealed is None:
        return None
    keys = views.store.keys_of(store_c, people)
    if len(keys) != len(set(people)):
        return None
    try:
        key = reason_key([keys[p] for p in people], what, about)
        return unseal(key, sealed, b"reason").decode()
    except (SealError, ValueError):
        return None


def _split(views: Views, c: Any, batch: Batch) -> dict[str, NDArray[np.int64]]:
    known = numbers_of(views, c, batch.people)
    numbers = np.array([known.get(p, -1) for p in batch.people], dtype=np.int64)
    return split(batch, numbers, source_numbers(views, c, batch.sources))


def source_numbers(views: Views, c: Any, names: list[str]) -> NDArray[np.int64]:
    """The views' numbers of source ``names`` (new ones numbered now)."""
    found: dict[str, int] = {}
    for name in names:
        digest = views.store.digest("source", name)
        c.execute(views.sql("SELECT no FROM {view_sources} WHERE digest = ?"), (digest,))
        row = c.fetchone()
        if row is None:
            c.execute(views.sql("SELECT COALESCE(MAX(no), 0) + 1 AS next FROM {view_sources}"))
            number = int(c.fetchone()["next"])
            c.execute(
                views.sql("INSERT INTO {view_sources} (no, digest, name) VALUES (?, ?, ?)"),
                (number, digest, views.sealed.text(name)),
            )
            row = {"no": number}
        found[name] = int(row["no"])
    return np.array([found[name] for name in names], dtype=np.int64)


def _pairs_of_touch(views: Views, c: Any, batch: Batch, row: int) -> set[int]:
    columns = _split(views, c, batch)
    touch = (batch.nid << 20) | row
    return {int(p) for p in columns["pair"][columns["touch"] == touch].tolist()}


def _json(views: Views, value: Any) -> str:
    """An attribute value as stored: JSON, sealed on an encrypted ledger."""
    return views.sealed.text(orjson.dumps(value).decode())
