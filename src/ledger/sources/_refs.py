"""Source references: stable names of the facts of a file.

A ref names one fact of a source. It is built from what identifies the fact where the
source has an id (a conversation id, an event UID) and from its content otherwise,
never from its position in the file, so a re-sorted or re-exported file names the
same facts the same way. Refs may be stored and shown, so personal data (names,
e-mail addresses, message text) enters them only as a digest.

Records with the same ref are told apart by their occurrence number ``#n``. Where
the file has no natural order among them, they are numbered in the order of a digest
of their content (:func:`numbered`), so that this too does not depend on row order.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

__all__ = ["digest", "numbered"]

T = TypeVar("T")


def digest(*parts: object) -> str:
    """16 hex digits of SHA-256 over ``parts`` (times as ISO 8601 in UTC)."""
    text = "\x1f".join(
        part.isoformat() if isinstance(part, datetime) else str(part) for part in parts
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def numbered(items: Iterable[tuple[str, str, T]]) -> list[tuple[str, T]]:
    """``(base, content, payload)`` → ``(base#n, payload)``, in the order given; among
    items with the same base, ``n`` counts up in the order of their contents."""
    listed = list(items)
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for index, (base, _, _) in enumerate(listed):
        groups[base].append(index)
    refs: dict[int, str] = {}
    for base, indexes in groups.items():
        ordered = sorted(indexes, key=lambda i: (digest(listed[i][1]), i))
        refs.update((index, f"{base}#{n}") for n, index in enumerate(ordered, 1))
    return [(refs[index], payload) for index, (_, _, payload) in enumerate(listed)]
