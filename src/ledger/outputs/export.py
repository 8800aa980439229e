"""Exporting a projection: one row per pair as of a time, as CSV, JSON Lines, Parquet or
GraphML.

Each undirected pair appears once, with ``a < b`` in string order, rows sorted by
``(a, b)``; keys are the people's keys as recorded. Times are ISO 8601 text in UTC.
The columns (``None`` is an empty CSV cell, a JSON ``null``, a Parquet null, and a
missing GraphML attribute):

* ``decay``: ``a, b, strength, touches, first_touch_at, last_touch_at,
  last_exchange_at, days_since_last_touch``
* ``depth``: ``a, b, level, level_name, live_touches, active_months``
* ``reciprocity``: ``a, b, a_to_b, b_to_a, balance, given_a_to_b, given_b_to_a``

The decay export can use another model than the ledger's (``half_life_days``,
``weights``) for this export only: each pair's strength is then what folding its
touches under that model gives, as the ledger would store it under that setting. The
decay rows are computed from numpy columns of every pair touch (``ledger.views._vector``),
equal to the fold's values within rounding; :func:`decay_values` is the fold itself.

Heavy libraries (pyarrow, networkx) are imported only by the writers that need them.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import BinaryIO

import attrs
import orjson

from ledger import PairView
from ledger.api import Ledger
from ledger.errors import InvalidInputError, UnknownProjectionError
from ledger.facts.time import from_micros
from ledger.outputs._files import OutputFileError, atomic_output
from ledger.views._decay_rows import check_decay_model, decay_export, decay_values, moment_of

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
    """One exported column; ``type`` is ``"string"``, ``"int"`` or ``"double"``."""

    name: str
    type: str


def _columns(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


_SCHEMAS: dict[str, tuple[Column, ...]] = {
    "decay": _columns(
        "a:string b:string strength:double touches:int first_touch_at:string "
        "last_touch_at:string last_exchange_at:string days_since_last_touch:double"
    ),
    "depth": _columns(
        "a:string b:string level:int level_name:string live_touches:int active_months:int"
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
    schema = _SCHEMAS[name]
    if name == "decay":
        values = decay_export(book, moment, half_life_days, weights)
        return ExportTable(projection=name, as_of=moment, columns=schema, values=values)
    builder = _depth_row if name == "depth" else _reciprocity_row
    rows = [builder(view) for view in _sorted(book.pairs(moment))]
    return ExportTable.from_rows(name, moment, schema, rows)


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


def people_attributes(book: Ledger, as_of: datetime | str | None = None) -> dict[str, Row]:
    """Every person's name and attributes at ``as_of``; tags joined with ``"; "``."""
    moment = moment_of(as_of)
    found: dict[str, Row] = {}
    for key in book.people():
        person = book.person(key, moment)
        values: Row = {"name": person.name}
        for field, value in sorted(person.attributes.items()):
            values[field] = "; ".join(value) if isinstance(value, list) else str(value)
        found[key] = values
    return found


def _sorted(views: list[PairView]) -> list[PairView]:
    return sorted(views, key=lambda view: (view.a, view.b))


def _iso(micros: int | None) -> str | None:
    return None if micros is None else from_micros(micros).isoformat()


def _depth_row(view: PairView) -> Row:
    return {
        "a": view.a,
        "b": view.b,
        "level": int(view.depth.level),
        "level_name": view.depth.level_name,
        "live_touches": view.depth.live_touches,
        "active_months": view.depth.active_months,
    }


def _reciprocity_row(view: PairView) -> Row:
    value = view.reciprocity
    return {
        "a": view.a,
        "b": view.b,
        "a_to_b": value.a_to_b,
        "b_to_a": value.b_to_a,
        "balance": value.balance,
        "given_a_to_b": value.given_a_to_b,
        "given_b_to_a": value.given_b_to_a,
    }


# -- writers ---------------------------------------------------------------------------
def write_csv(table: ExportTable, stream: BinaryIO) -> None:
    """A header line, then one line per row; ``None`` is an empty cell."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(table.names)
        # repr-exact floats: str(float) is the shortest text that reads back identically
        writer.writerows(table.tuples())
        text.flush()
    finally:
        text.detach()


def write_jsonl(table: ExportTable, stream: BinaryIO) -> None:
    """One JSON object per line, keys in column order."""
    for row in table.rows:
        stream.write(orjson.dumps(row))
        stream.write(b"\n")


def write_parquet(table: ExportTable, stream: BinaryIO) -> None:
    """A Parquet file with typed columns (string, int64, float64; all nullable)."""
    import pyarrow as pa  # noqa: PLC0415 - heavy; only for this format
    import pyarrow.parquet as pq  # noqa: PLC0415

    types = {"string": pa.string(), "int": pa.int64(), "double": pa.float64()}
    schema = pa.schema([(column.name, types[column.type]) for column in table.columns])
    pq.write_table(pa.Table.from_pydict(table.values, schema=schema), stream)


def write_graphml(
    table: ExportTable, stream: BinaryIO, people: Mapping[str, Row] | None = None
) -> None:
    """An undirected GraphML graph: the rows' columns as edge attributes, and ``people``
    (see :func:`people_attributes`) as nodes with their attributes."""
    import networkx as nx  # noqa: PLC0415 - heavy; only for this format

    graph = nx.Graph(projection=table.projection, as_of=table.as_of.isoformat())
    for key, values in (people or {}).items():
        graph.add_node(key, **{k: v for k, v in values.items() if v is not None})
    for row in table.rows:
        attributes = {k: v for k, v in row.items() if k not in ("a", "b") and v is not None}
        graph.add_edge(row["a"], row["b"], **attributes)
    nx.write_graphml(graph, stream, encoding="utf-8", prettyprint=True)


_WRITERS: dict[str, Callable[[ExportTable, BinaryIO], None]] = {
    "csv": write_csv,
    "jsonl": write_jsonl,
    "parquet": write_parquet,
}


def export(
    book: Ledger,
    projection: str,
    fmt: str,
    out: str | os.PathLike[str] | BinaryIO | None = None,
    as_of: datetime | str | None = None,
    *,
    half_life_days: float | None = None,
    weights: Mapping[str, float] | None = None,
) -> int:
    """Write ``projection``'s rows at ``as_of`` in format ``fmt`` to ``out``; return the
    number of rows.

    ``out`` is a path (written atomically: nothing is left there on error), a binary
    stream, or None for standard output. Raises :class:`ledger.UnknownProjectionError`,
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
        else:
            _WRITERS[name](table, stream)
        return len(table)

    if isinstance(out, str | os.PathLike):
        # The temporary file is opened first, so an unwritable path fails before any work.
        with atomic_output(out) as stream:
            return write(stream)
    stream = sys.stdout.buffer if out is None else out
    count = write(stream)
    stream.flush()
    return count
