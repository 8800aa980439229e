"""Exporting a projection: one row per pair as of a time, as CSV, JSON Lines, Parquet or
GraphML.

Each undirected pair appears once, with ``a < b`` in string order, rows sorted by
``(a, b)``; keys are the people's keys as recorded. Times are ISO 8601 text in UTC
(typed timestamps in Parquet). The columns (``None`` is an empty CSV cell, a JSON
``null``, a Parquet null, and a missing GraphML attribute):

* ``decay``: ``a, b, strength, touches, first_touch_at, last_touch_at,
  last_exchange_at, days_since_last_touch``
* ``depth``: ``a, b, level, level_name, live_touches, two_way_days``
* ``reciprocity``: ``a, b, a_to_b, b_to_a, balance, given_a_to_b, given_b_to_a``
  (``a_to_b``: the conversations, calls and help a opened towards b)

The rows come from :meth:`ledger.Ledger.pair_table`: every pair's values as columns,
the same numbers :meth:`ledger.Ledger.pairs` gives, without an object per pair. The
decay export can ask under another model than the ledger's (``half_life_days``,
``weights``: the weights named change, the others keep the ledger's) for this export
only; nothing is stored or rebuilt.

Every export records the as-of time and the model it was computed with: CSV and JSON
Lines end each row with ``as_of`` and ``model``; Parquet and GraphML carry them as
file metadata (see :mod:`ledger.outputs._writers`, which also guards CSV cells
against spreadsheet formulas).

Heavy libraries (pyarrow, networkx) are imported only by the writers that need them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO

import attrs
import numpy as np
from numpy.typing import NDArray

from ledger import DecayModel, DecayValue, Ledger
from ledger.errors import InvalidInputError, UnknownProjectionError
from ledger.facts.time import parse_time
from ledger.outputs._files import OutputFileError, Target, atomic_output
from ledger.outputs._writers import (
    model_text,
    write_csv,
    write_graphml,
    write_jsonl,
    write_parquet,
)
from ledger.projections.depth import DepthLevel

__all__ = [
    "FORMATS",
    "PROJECTIONS",
    "Column",
    "ExportTable",
    "OutputFileError",
    "check_decay_model",
    "decay_values",
    "export",
    "export_rows",
    "export_table",
    "model_text",
    "people_attributes",
    "write_csv",
    "write_graphml",
    "write_jsonl",
    "write_parquet",
]

FORMATS = ("csv", "jsonl", "parquet", "graphml")
"""The output formats :func:`export` writes."""

Scalar = str | int | float | None
Row = dict[str, Scalar]


@attrs.frozen
class Column:
    """One exported column; ``type`` is ``"string"``, ``"int"``, ``"double"`` or
    ``"timestamp"`` (ISO 8601 text in the rows, a UTC timestamp in Parquet)."""

    name: str
    type: str


def _columns(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


_SCHEMAS: dict[str, tuple[Column, ...]] = {
    "decay": _columns(
        "a:string b:string strength:double touches:int first_touch_at:timestamp "
        "last_touch_at:timestamp last_exchange_at:timestamp days_since_last_touch:double"
    ),
    "depth": _columns(
        "a:string b:string level:int level_name:string live_touches:int two_way_days:int"
    ),
    "reciprocity": _columns(
        "a:string b:string a_to_b:int b_to_a:int balance:double given_a_to_b:int given_b_to_a:int"
    ),
}

PROJECTIONS = tuple(_SCHEMAS)
"""The projections :func:`export` knows how to lay out as rows."""


@attrs.frozen
class ExportTable:
    """The rows of one projection as of a time, with their column layout.

    Held as columns (``values``: one list per column name, in row order): a whole
    network's decay is computed column-wise, and building a dict per pair cost more
    than computing it. :attr:`rows` builds the dicts when asked.
    """

    projection: str
    as_of: datetime
    columns: tuple[Column, ...]
    values: dict[str, list[Scalar]]
    model: DecayModel = attrs.field(factory=DecayModel)
    """The decay model the values were computed with."""
    timezone: str = "UTC"
    """The ledger's time zone, in which days were counted."""
    times: dict[str, NDArray[Any]] = attrs.field(factory=dict)
    """The timestamp columns as ``datetime64[us]`` (UTC), for typed formats."""
    strength: list[float] | None = None
    """Every row's decay strength (GraphML's edge weight)."""

    @classmethod
    def from_rows(
        cls, projection: str, as_of: datetime, columns: tuple[Column, ...], rows: list[Row]
    ) -> ExportTable:
        values = {column.name: [row[column.name] for row in rows] for column in columns}
        return cls(projection=projection, as_of=as_of, columns=columns, values=values)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def rows(self) -> list[Row]:
        """One dict per row, keyed by column name in column order."""
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.tuples()]

    def tuples(self) -> Iterator[tuple[Scalar, ...]]:
        """The rows as tuples in column order."""
        return zip(*(self.values[name] for name in self.names), strict=True)

    def __len__(self) -> int:
        return len(self.values[self.columns[0].name]) if self.columns else 0


# -- rows ------------------------------------------------------------------------------
def moment_of(as_of: datetime | str | None) -> datetime:
    """``as_of`` as a datetime; now when ``None``."""
    return datetime.now(UTC) if as_of is None else parse_time(as_of, "as_of")


def check_decay_model(half_life_days: float | None, weights: Mapping[str, float] | None) -> None:
    """Raise :class:`ledger.InvalidInputError` unless the half-life is a finite number of
    days above 0 and every weight names a kind (or ``introduced``) with a finite weight
    of at least 0 (the ledger's own checks)."""
    DecayModel().merged(half_life_days, weights)


def export_table(
    book: Ledger,
    projection: str,
    as_of: datetime | str | None = None,
    *,
    half_life_days: float | None = None,
    weights: Mapping[str, float] | None = None,
) -> ExportTable:
    """Every pair's values of ``projection`` at ``as_of`` (default now), sorted by (a, b).

    Raises :class:`ledger.UnknownProjectionError` for a projection it cannot export,
    and :class:`ledger.InvalidInputError` for a bad model or one given to a projection
    other than decay.
    """
    name = _projection_name(projection)
    moment = moment_of(as_of)
    overridden = half_life_days is not None or weights is not None
    if overridden and name != "decay":
        raise InvalidInputError(
            "half_life_days", half_life_days, f"only the decay export takes a model, not {name}"
        )
    if overridden:
        check_decay_model(half_life_days, weights)
    model = {"half_life_days": half_life_days, "weights": weights} if overridden else {}
    table = book.pair_table(moment, **model)
    values = _LAYOUTS[name](table)
    return ExportTable(
        projection=name,
        as_of=moment,
        columns=_SCHEMAS[name],
        values=values,
        model=book.decay_model.merged(half_life_days, weights),
        timezone=book.timezone,
        times={c.name: table[c.name] for c in _SCHEMAS[name] if c.type == "timestamp"},
        strength=table["strength"].tolist(),
    )


def _projection_name(projection: str) -> str:
    name = str(projection).strip().lower()
    if name not in _SCHEMAS:
        raise UnknownProjectionError(str(projection), list(PROJECTIONS))
    return name


def export_rows(
    book: Ledger,
    projection: str,
    as_of: datetime | str | None = None,
    *,
    half_life_days: float | None = None,
    weights: Mapping[str, float] | None = None,
) -> list[Row]:
    """The rows of :func:`export_table`, as dicts keyed by column name."""
    return export_table(
        book, projection, as_of, half_life_days=half_life_days, weights=weights
    ).rows


def decay_values(
    book: Ledger,
    as_of: datetime | str | None = None,
    *,
    half_life_days: float | None = None,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[str, str, DecayValue]]:
    """``(a, b, value)`` of every pair's decay at ``as_of`` (``a < b``), sorted by (a, b):
    :meth:`ledger.Ledger.pairs`' values, under the model asked for."""
    moment = moment_of(as_of)
    check_decay_model(half_life_days, weights)
    views = book.pairs(moment, half_life_days=half_life_days, weights=weights)
    found = [(min(view.a, view.b), max(view.a, view.b), view.decay) for view in views]
    return sorted(found, key=lambda item: (item[0], item[1]))


def people_attributes(book: Ledger, as_of: datetime | str | None = None) -> dict[str, Row]:
    """Every person's name and attributes at ``as_of``; tags joined with ``"; "``."""
    attributes = book.attributes_at(moment_of(as_of))
    found: dict[str, Row] = {}
    for key in book.people():
        values = dict(attributes.get(key, {}))
        row: Row = {"name": str(values.pop("name", key))}
        for field, value in sorted(values.items()):
            row[field] = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        found[key] = row
    return found


Columns = dict[str, NDArray[Any]]


def _iso(times: NDArray[Any]) -> list[Scalar]:
    """``datetime64[us]`` (UTC) as ISO 8601 text, as ``datetime.isoformat`` writes it;
    None for ``NaT``."""
    if not len(times):
        return []
    text: list[Scalar] = [f"{t}+00:00" for t in np.datetime_as_string(times, unit="s")]
    micros = (times.astype(np.int64) % 1_000_000).tolist()
    missing = np.isnat(times).tolist()
    for i, (fraction, absent) in enumerate(zip(micros, missing, strict=True)):
        if absent:
            text[i] = None
        elif fraction:
            text[i] = f"{str(text[i])[:-6]}.{fraction:06d}+00:00"
    return text


def _decay_columns(table: Columns) -> dict[str, list[Scalar]]:
    return {
        "a": table["a"].tolist(),
        "b": table["b"].tolist(),
        "strength": table["strength"].tolist(),
        "touches": table["touches"].tolist(),
        "first_touch_at": _iso(table["first_touch_at"]),
        "last_touch_at": _iso(table["last_touch_at"]),
        "last_exchange_at": _iso(table["last_exchange_at"]),
        "days_since_last_touch": table["days_since_last_touch"].tolist(),
    }


_LEVEL_NAMES = np.array([level.label for level in DepthLevel])


def _depth_columns(table: Columns) -> dict[str, list[Scalar]]:
    return {
        "a": table["a"].tolist(),
        "b": table["b"].tolist(),
        "level": table["level"].tolist(),
        "level_name": _LEVEL_NAMES[table["level"]].tolist(),
        "live_touches": table["live_touches"].tolist(),
        "two_way_days": table["two_way_days"].tolist(),
    }


def _reciprocity_columns(table: Columns) -> dict[str, list[Scalar]]:
    forth, back = table["a_to_b"], table["b_to_a"]
    total = forth + back
    balance = np.divide(forth - back, total, out=np.zeros(len(total)), where=total > 0)
    return {
        "a": table["a"].tolist(),
        "b": table["b"].tolist(),
        "a_to_b": forth.tolist(),
        "b_to_a": back.tolist(),
        "balance": balance.tolist(),
        "given_a_to_b": table["given_a_to_b"].tolist(),
        "given_b_to_a": table["given_b_to_a"].tolist(),
    }


_LAYOUTS: dict[str, Callable[[Columns], dict[str, list[Scalar]]]] = {
    "decay": _decay_columns,
    "depth": _depth_columns,
    "reciprocity": _reciprocity_columns,
}


# -- writing ---------------------------------------------------------------------------
_WRITERS: dict[str, Callable[[ExportTable, BinaryIO], None]] = {
    "jsonl": write_jsonl,
    "parquet": write_parquet,
}


def export(
    book: Ledger,
    projection: str,
    fmt: str,
    out: Target | None = None,
    as_of: datetime | str | None = None,
    *,
    half_life_days: float | None = None,
    weights: Mapping[str, float] | None = None,
    guard: bool = True,
) -> int:
    """Write ``projection``'s rows at ``as_of`` in format ``fmt`` to ``out``; return the
    number of rows.

    ``out`` is a path (a regular file is written atomically: nothing is left there on
    error; a device or FIFO is written through, see :mod:`ledger.outputs._files`), a
    binary stream, or None for standard output. ``guard=False`` writes CSV cells that
    start like a formula as they are. Raises :class:`ledger.UnknownProjectionError`,
    :class:`ledger.InvalidInputError` (unknown format, bad model) or
    :class:`OutputFileError` (the path cannot be written).
    """
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise InvalidInputError("format", fmt, f"unknown format; known: {', '.join(FORMATS)}")
    _projection_name(projection)  # fail on a bad name before touching any output file

    def write(stream: BinaryIO) -> int:
        table = export_table(
            book, projection, as_of, half_life_days=half_life_days, weights=weights
        )
        if name == "graphml":
            write_graphml(table, stream, people_attributes(book, table.as_of))
        elif name == "csv":
            write_csv(table, stream, guard=guard)
        else:
            _WRITERS[name](table, stream)
        return len(table)

    # A file is opened first, so an unwritable path fails before any work.
    with atomic_output(sys.stdout.buffer if out is None else out) as stream:
        return write(stream)
