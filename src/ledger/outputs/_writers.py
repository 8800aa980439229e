"""The export formats: CSV, JSON Lines, Parquet and GraphML, each recording the as-of
time and the model the rows were computed with.

* CSV and JSON Lines: two columns after the projection's, ``as_of`` (ISO 8601, UTC)
  and ``model`` (:func:`model_text`);
* Parquet: typed columns (timestamps as ``timestamp[us, UTC]``), and the as-of time
  and the model (JSON) in the file's key-value metadata (``ledger.as_of``,
  ``ledger.model``, ``ledger.projection``);
* GraphML: the same as graph attributes, ``label`` (the person's name) on every node
  and ``weight`` (the pair's decay strength) on every edge, which Gephi reads as the
  node label and the edge weight.

CSV cells that are text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return are written with a ``'`` before them (``guard=True``, the default), so that a
spreadsheet shows them instead of running them as formulas (OWASP's advice on CSV
injection). Numbers are never changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from ledger import DecayModel

if TYPE_CHECKING:
    from ledger.outputs.export import ExportTable

__all__ = [
    "FORMULA_STARTS",
    "guarded",
    "model_document",
    "model_text",
    "write_csv",
    "write_graphml",
    "write_jsonl",
    "write_parquet",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a text cell starts that a spreadsheet would run as a formula."""
Scalar = str | int | float | None


def guarded(value: Any) -> Any:
    """``value`` with a ``'`` before it when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def model_text(model: DecayModel, timezone: str) -> str:
    """The model as one short cell: the half-life, the weights that differ from the
    defaults (docs: README, "Decay"), and the time zone days are counted in."""
    defaults = DecayModel().weights
    parts = [f"half_life_days={model.half_life_days:g}"]
    parts += [
        f"{kind}={weight:g}"
        for kind, weight in model.weights.items()
        if defaults.get(kind) != weight
    ]
    parts.append(f"timezone={timezone}")
    return " ".join(parts)


def model_document(table: ExportTable) -> dict[str, Any]:
    """The as-of time and the whole model, for file metadata."""
    return {
        "projection": table.projection,
        "as_of": table.as_of.isoformat(),
        "half_life_days": table.model.half_life_days,
        "weights": dict(table.model.weights),
        "timezone": table.timezone,
    }


def _meta_row(table: ExportTable) -> tuple[str, str]:
    return table.as_of.isoformat(), model_text(table.model, table.timezone)


def write_csv(table: ExportTable, stream: BinaryIO, *, guard: bool = True) -> None:
    """A header line, then one line per row; ``None`` is an empty cell."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([*table.names, "as_of", "model"])
        meta = _meta_row(table)
        # repr-exact floats: str(float) is the shortest text that reads back identically
        rows: Iterable[tuple[Any, ...]] = (row + meta for row in table.tuples())
        if guard:
            rows = (tuple(map(guarded, row)) for row in rows)
        writer.writerows(rows)
        text.flush()
    finally:
        text.detach()


def write_jsonl(table: ExportTable, stream: BinaryIO) -> None:
    """One JSON object per line, keys in column order, then ``as_of`` and ``model``."""
    as_of, model = _meta_row(table)
    for row in table.rows:
        stream.write(orjson.dumps({**row, "as_of": as_of, "model": model}))
        stream.write(b"\n")


def write_parquet(table: ExportTable, stream: BinaryIO) -> None:
    """A Parquet file with typed columns (string, int64, float64, timestamps in UTC; all
    nullable) and the as-of time and model in its metadata."""
    import pyarrow as pa  # noqa: PLC0415 - heavy; only for this format
    import pyarrow.parquet as pq  # noqa: PLC0415

    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "double": pa.float64(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    arrays = [
        pa.array(table.times.get(column.name, table.values[column.name]), type=types[column.type])
        for column in table.columns
    ]
    schema = pa.schema([(column.name, types[column.type]) for column in table.columns])
    document = model_document(table)
    schema = schema.with_metadata(
        {
            "ledger.projection": table.projection,
            "ledger.as_of": document["as_of"],
            "ledger.model": orjson.dumps(document).decode(),
        }
    )
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), stream)


def write_graphml(
    table: ExportTable, stream: BinaryIO, people: Mapping[str, dict[str, Scalar]] | None = None
) -> None:
    """An undirected GraphML graph: the rows' columns as edge attributes (and
    ``weight``, the strength), ``people`` as nodes with their attributes (and
    ``label``, the name); the as-of time and the model as graph attributes."""
    import networkx as nx  # noqa: PLC0415 - heavy; only for this format

    document = model_document(table)
    graph = nx.Graph(
        projection=table.projection,
        as_of=document["as_of"],
        half_life_days=document["half_life_days"],
        timezone=table.timezone,
        model=orjson.dumps(document).decode(),
    )
    for key, values in (people or {}).items():
        attributes = {k: v for k, v in values.items() if v is not None}
        graph.add_node(key, label=str(values.get("name") or key), **attributes)
    weights = table.strength if table.strength is not None else [None] * len(table)
    for row, weight in zip(table.rows, weights, strict=True):
        attributes = {k: v for k, v in row.items() if k not in ("a", "b") and v is not None}
        if weight is not None:
            attributes.setdefault("weight", weight)
        graph.add_edge(row["a"], row["b"], **attributes)
    nx.write_graphml(graph, stream, encoding="utf-8", prettyprint=True)
