"""Every fact out of a ledger, and into a new one (see :mod:`ledger.store.dump`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ledger.api._ledger import Ledger
from ledger.store.dump import dump_lines, load_lines, read_dump, write_dump

__all__ = ["dump", "load"]


def dump(book: Ledger, out: IO[bytes], *, dump_passphrase: str | None = None) -> None:
    """Write every event of ``book`` (and its secrets, keys and identities) to ``out``,
    sealed under ``dump_passphrase`` when one is given."""
    write_dump(dump_lines(book._store), out, dump_passphrase)


def load(
    source: str | Path | IO[bytes],
    url: str,
    *,
    dump_passphrase: str | None = None,
    opener: Callable[..., Ledger] = Ledger,
    **options: Any,
) -> int:
    """Load a dump into the new, empty ledger at ``url`` (opened with ``options``, e.g.
    ``encrypt=True, passphrase=...`` for an encrypted one; ``dump_passphrase`` opens an
    encrypted dump); return how many events were loaded. The views are rebuilt."""
    if isinstance(source, str | Path):
        with Path(source).open("rb") as stream:
            return load(stream, url, dump_passphrase=dump_passphrase, opener=opener, **options)
    with opener(url, **options) as book:
        count = load_lines(book._store, read_dump(source, dump_passphrase))
    with opener(url, **{k: v for k, v in options.items() if k != "encrypt"}) as book:
        book.rebuild()
    return count
