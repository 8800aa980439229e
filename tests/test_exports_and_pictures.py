"""Exports other tools read well (typed Parquet timestamps, Gephi's label and weight,
the as-of time and model in every export, CSV cells no spreadsheet runs) and pictures
worth looking at (they end at the last touchpoint, show the final state, draw only
glyphs the font has, label without overlaps)."""

from __future__ import annotations

import csv
import io
import json
import warnings
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main
from ledger.insights import pictures
from ledger.outputs import export as exporting
from ledger.outputs import plot as plotting

AS_OF = "2024-06-30T00:00:00+00:00"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url) as book:
        book.add_person("ada", "Ada Lovelace", org='=HYPERLINK("http://evil")')
        book.add_person("-bob", "@Bob")
        book.add_person("cy", "Cy 李小龍 ☃")
        book.record("meeting", "ada", "-bob", "2024-01-01T10:00:00Z")
        book.record("message", "-bob", "ada", "2024-01-02T10:00:00.5Z")
        book.record("call", "ada", "cy", "2024-03-01T10:00:00Z")
        book.set_owner("ada")
    return url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, "--tz", "UTC", *args])


def test_parquet_holds_typed_timestamps_and_the_model(db: str, tmp_path: Path) -> None:
    out = tmp_path / "decay.parquet"
    assert run(db, "export", "decay", "--as-of", AS_OF, "-o", str(out)).exit_code == 0
    table = pq.read_table(out)
    for name in ("first_touch_at", "last_touch_at", "last_exchange_at"):
        assert table.schema.field(name).type == pa.timestamp("us", tz="UTC")
    rows = {(r["a"], r["b"]): r for r in table.to_pylist()}
    assert rows[("-bob", "ada")]["last_touch_at"] == datetime(2024, 1, 2, 10, 0, 0, 500_000, UTC)
    meta = table.schema.metadata
    assert meta[b"ledger.as_of"] == AS_OF.encode()
    model = json.loads(meta[b"ledger.model"])
    assert model["half_life_days"] == 90 and model["timezone"] == "UTC"
    assert model["weights"]["meeting"] == 4


def test_every_export_says_when_and_under_which_model(db: str, tmp_path: Path) -> None:
    args = ("--as-of", AS_OF, "--half-life", "30", "--weight", "meeting=10")
    lines = run(db, "export", "decay", *args, "--format", "jsonl").stdout.splitlines()
    assert {json.loads(line)["model"] for line in lines} == {
        "half_life_days=30 meeting=10 timezone=UTC"
    }
    graphml = tmp_path / "g.graphml"
    assert run(db, "export", "reciprocity", "--as-of", AS_OF, "-o", str(graphml)).exit_code == 0
    graph = nx.read_graphml(graphml)
    assert graph.graph["as_of"] == AS_OF and graph.graph["timezone"] == "UTC"
    assert graph.nodes["cy"]["label"] == "Cy 李小龍 ☃"
    assert all(data["weight"] > 0 for _, _, data in graph.edges(data=True))


def test_csv_cells_that_a_spreadsheet_would_run_are_guarded(db: str) -> None:
    rows = list(csv.reader(io.StringIO(run(db, "export", "decay", "--as-of", AS_OF).stdout)))
    assert rows[1][:2] == ["'-bob", "ada"]
    assert float(rows[1][2]) > 0  # numbers are never touched
    raw = list(csv.reader(io.StringIO(run(db, "export", "decay", "--csv-raw").stdout)))
    assert raw[1][:2] == ["-bob", "ada"]
    people = run(db, "person", "list", "--format", "csv").stdout
    assert "'=HYPERLINK" in people and "'@Bob" in people and "'-bob" in people
    kept = run(db, "person", "list", "--format", "csv", "--csv-raw").stdout
    assert '"=HYPERLINK(""http://evil"")"' in kept
    with ledger.open(db) as book:  # the Python API guards too, unless told not to
        stream = io.BytesIO()
        exporting.export(book, "depth", "csv", stream, AS_OF, guard=False)
        assert stream.getvalue().splitlines()[1].startswith(b"-bob,")


def test_pictures_end_at_the_last_touchpoint_unless_until(db: str) -> None:
    with ledger.open(db) as book:
        series = plotting.strength_series(book, "ada", "-bob")
        assert series.times[-1] == datetime(2024, 1, 2, 10, 0, 0, 500_000, UTC)
        assert series.strengths[-1] == max(series.strengths)  # the last touch is drawn
        until = plotting.strength_series(book, "ada", "-bob", until="2024-02-01T00:00:00Z")
        assert until.times[-1] == datetime(2024, 2, 1, tzinfo=UTC)
        network = plotting.network_series(book, points=5)
        assert network[-1].as_of == datetime(2024, 3, 1, 10, tzinfo=UTC)
        assert network[-1].pairs == 2
        depth = pictures.depth_series(book, points=3)
        assert depth[-1].as_of == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_pictures_draw_only_glyphs_the_font_has(db: str, tmp_path: Path) -> None:
    assert plotting.drawable("Cy 李小龍 ☃ $5") == r"Cy ??? ☃ \$5"
    with ledger.open(db) as book, warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of every missing glyph
        pictures.plot_graph(book, tmp_path / "g.png", "ada", AS_OF)
        plotting.plot_pair(book, "ada", "cy", tmp_path / "p.png")
        pictures.plot_depth(book, tmp_path / "d.png", "ada")
    assert all((tmp_path / f).stat().st_size > 10_000 for f in ("g.png", "p.png", "d.png"))


def test_the_graph_labels_at_most_its_cap_and_never_overlapping(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'many.db'}"
    with ledger.open(url) as book:
        book.add_person("me", "Me")
        for n in range(40):
            book.add_person(f"p{n}", f"Person number {n}", org=f"Org {n % 15}")
            book.record("message", "me", f"p{n}", f"2024-01-{1 + n % 28:02d}T10:00:00Z")
        book.set_owner("me")
        labels: list[object] = []
        real = pictures._label

        def spy(figure: object, ax: object, *args: object) -> None:
            real(figure, ax, *args)  # type: ignore[arg-type]
            labels.extend(ax.texts)  # type: ignore[attr-defined]
            labels.append(figure)

        pictures._label = spy  # type: ignore[assignment]
        try:
            summary = pictures.plot_graph(book, tmp_path / "g.png", "me", top=40)
        finally:
            pictures._label = real  # type: ignore[assignment]
    figure = labels.pop()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [text.get_window_extent(renderer) for text in labels]  # type: ignore[attr-defined]
    assert summary.people == 41
    assert 0 < len(boxes) <= pictures.LABELS
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
