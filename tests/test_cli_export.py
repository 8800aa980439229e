"""``ledger export`` and :mod:`ledger.outputs.export`: every format read back with
pandas/pyarrow/networkx gives the Python API's numbers; bad inputs write nothing."""

from __future__ import annotations

import io
import json
import os
from datetime import datetime
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main
from ledger.outputs import export as exporting

AS_OF = "1834-06-30T00:00:00+00:00"
HISTORY = [
    ("meeting", "ada", ["charles"], "1833-06-05T19:00:00+00:00"),
    ("message", "charles", ["ada"], "1833-06-07T09:00:00+00:00"),
    ("email", "mary", ["ada", "charles"], "1834-01-10T12:00:00+00:00"),
    ("message", "ada", ["mary"], "1834-02-01T12:00:00+00:00"),
    ("introduction", "mary", ["ada", "zoe"], "1834-02-02T12:00:00+00:00"),
    ("favor", "zoe", ["ada"], "1834-03-01T12:00:00+00:00"),
    ("call", "charles", ["ada"], "1834-03-01T12:00:00+00:00"),
    ("message", "ada", ["zoe"], "1834-07-01T12:00:00+00:00"),  # after AS_OF
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with ledger.open(url) as book:
        book.add_person("ada", "Ada Lovelace", org="Analytical Engines", tags=["math", "poetry"])
        book.add_person("charles", "Charles Babbage")
        book.add_person("mary", "Mary Somerville")
        book.add_person("zoe", "Zoe")
        for kind, initiator, counterparts, at in HISTORY:
            book.record(kind, initiator, counterparts, at)
    return url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


def api_pairs(url: str) -> dict[tuple[str, str], ledger.PairView]:
    with ledger.open(url) as book:
        return {(min(v.a, v.b), max(v.a, v.b)): v for v in book.pairs(AS_OF)}


def expected(view: ledger.PairView, projection: str) -> dict[str, object]:
    if projection == "decay":
        return {
            "strength": view.strength,
            "touches": view.decay.touches,
            "last_touch_at": view.decay.last_touch_at.isoformat(),
        }
    if projection == "depth":
        return {
            "level": int(view.depth.level),
            "level_name": view.depth.level_name,
            "two_way_days": view.depth.two_way_days,
        }
    value = view.reciprocity
    turned = view.a > view.b  # the API orders a pair by registration, the export by key
    forth, back = (value.b_to_a, value.a_to_b) if turned else (value.a_to_b, value.b_to_a)
    return {"a_to_b": forth, "b_to_a": back, "balance": -value.balance if turned else value.balance}


def read_back(path: Path, fmt: str) -> list[dict[str, object]]:
    if fmt == "csv":
        return pd.read_csv(path).to_dict("records")  # type: ignore[no-any-return]
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, precise_float=True).to_dict("records")  # type: ignore[no-any-return]
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]
    graph = nx.read_graphml(path)
    return [{"a": min(u, v), "b": max(u, v), **data} for u, v, data in graph.edges(data=True)]


@pytest.mark.parametrize("projection", ["decay", "depth", "reciprocity"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "graphml"])
def test_export_reads_back_as_the_api_numbers(
    db: str, tmp_path: Path, projection: str, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run(db, "export", projection, "--as-of", AS_OF, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rows = read_back(out, fmt)
    pairs = api_pairs(db)
    assert sorted((r["a"], r["b"]) for r in rows) == sorted(pairs)
    assert len(rows) == len(pairs) == 5
    for row in rows:
        assert str(row["a"]) < str(row["b"])
        for column, value in expected(pairs[(str(row["a"]), str(row["b"]))], projection).items():
            if column == "strength":  # read back from text: equal within rounding
                assert row[column] == pytest.approx(value, rel=1e-12), (row, column)
            elif column.endswith("_at"):  # pandas reads JSON times back as timestamps
                assert datetime.fromisoformat(str(row[column])) == datetime.fromisoformat(
                    str(value)
                )
            else:
                assert row[column] == value, (row, column)


def test_decay_depth_and_reciprocity_by_hand(db: str) -> None:
    def row(projection: str) -> dict[str, object]:
        lines = run(db, "export", projection, "--as-of", AS_OF, "--format", "jsonl").output
        found = {(r["a"], r["b"]): r for r in map(json.loads, lines.splitlines())}
        return found[("ada", "zoe")]

    end = datetime.fromisoformat(AS_OF)

    def decayed(weight: float, at: str) -> float:
        age = (end - datetime.fromisoformat(at)).total_seconds() / 86_400
        return weight * 2 ** (-age / 90)

    # ada and zoe: introduced by mary (weight 0.5), then zoe did ada a favor (3)
    introduced, favor = HISTORY[4][3], HISTORY[5][3]
    decay = row("decay")
    assert decay["strength"] == pytest.approx(decayed(0.5, introduced) + decayed(3, favor))
    assert (decay["touches"], decay["last_exchange_at"]) == (2, None)  # nothing answered
    assert row("depth") == {
        "a": "ada",
        "b": "zoe",
        "level": 1,
        "level_name": "one_way",
        "live_touches": 0,
        "two_way_days": 0,
        "as_of": "1834-06-30T00:00:00+00:00",  # every export says when and under which model
        "model": "half_life_days=90 timezone=UTC",
    }
    reciprocity = row("reciprocity")  # zoe opened the favor: b to a
    assert (reciprocity["a_to_b"], reciprocity["b_to_a"], reciprocity["balance"]) == (0, 1, -1.0)
    assert (reciprocity["given_a_to_b"], reciprocity["given_b_to_a"]) == (0, 1)


def test_rows_are_sorted_and_in_column_order(db: str) -> None:
    result = run(db, "export", "reciprocity", "--as-of", AS_OF)
    lines = result.output.splitlines()
    assert lines[0] == "a,b,a_to_b,b_to_a,balance,given_a_to_b,given_b_to_a,as_of,model"
    keys = [tuple(line.split(",")[:2]) for line in lines[1:]]
    assert keys == sorted(keys)


def test_graphml_nodes_carry_peoples_attributes(db: str, tmp_path: Path) -> None:
    out = tmp_path / "net.graphml"
    assert run(db, "export", "depth", "--as-of", AS_OF, "-o", str(out)).exit_code == 0
    graph = nx.read_graphml(out)
    assert graph.nodes["ada"] == {
        "label": "Ada Lovelace",  # what Gephi shows
        "name": "Ada Lovelace",
        "org": "Analytical Engines",
        "tags": "math; poetry",
    }
    assert graph.graph["projection"] == "depth"
    assert graph.graph["as_of"] == AS_OF
    assert json.loads(graph.graph["model"])["half_life_days"] == 90
    edge = graph.edges["ada", "charles"]
    assert edge["level_name"] == "live"
    assert edge["weight"] == pytest.approx(api_pairs(db)[("ada", "charles")].strength)


def test_format_from_the_file_extension_and_stdout_jsonl(db: str, tmp_path: Path) -> None:
    out = tmp_path / "decay.parquet"
    assert run(db, "export", "decay", "--as-of", AS_OF, "-o", str(out)).exit_code == 0
    assert pq.read_table(out).num_rows == 5
    lines = run(db, "export", "decay", "--as-of", AS_OF, "--format", "jsonl").output.splitlines()
    assert {json.loads(line)["a"] for line in lines} == {"ada", "charles", "mary"}


def test_half_life_and_weights_override_this_export_only(db: str) -> None:
    args = ("--as-of", AS_OF, "--half-life", "30", "--weight", "meeting=10", "--format", "jsonl")
    result = run(db, "export", "decay", *args)
    assert result.exit_code == 0, result.stderr
    rows = {(r["a"], r["b"]): r for r in map(json.loads, result.output.splitlines())}
    with ledger.open(db) as book:
        for (a, b), row in rows.items():
            explained = book.explain(a, b, AS_OF, half_life_days=30, weights={"meeting": 10})
            assert row["strength"] == pytest.approx(explained.strength, rel=1e-12)
            assert row["touches"] == len(explained.contributions)
        assert book.decay_model.half_life_days == 90.0  # the ledger's model is unchanged
    default = run(db, "export", "decay", "--as-of", AS_OF, "--format", "jsonl").output
    assert json.loads(default.splitlines()[0])["strength"] != rows[("ada", "charles")]["strength"]


def test_python_api_export_to_a_stream_and_rows(db: str) -> None:
    with ledger.open(db) as book:
        stream = io.BytesIO()
        count = exporting.export(book, "depth", "jsonl", stream, AS_OF)
        rows = exporting.export_rows(book, "depth", AS_OF)
        with pytest.raises(ledger.UnknownProjectionError):
            exporting.export_rows(book, "closeness", AS_OF)
        with pytest.raises(ledger.InvalidInputError):
            exporting.export_rows(book, "depth", AS_OF, half_life_days=30)
        with pytest.raises(ledger.InvalidInputError):
            exporting.export_rows(book, "decay", AS_OF, weights={"gossip": 1.0})
        with pytest.raises(ledger.InvalidInputError):
            exporting.export(book, "decay", "xlsx", io.BytesIO(), AS_OF)
    assert count == len(rows) == 5
    written = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [{k: v for k, v in r.items() if k not in ("as_of", "model")} for r in written] == rows
    assert {(r["as_of"], r["model"]) for r in written} == {
        (AS_OF, "half_life_days=90 timezone=UTC")
    }


def test_an_empty_ledger_exports_a_header(sqlite_url: str, tmp_path: Path) -> None:
    ledger.open(sqlite_url).close()
    assert run(sqlite_url, "export", "decay").output.startswith("a,b,strength,")
    out = tmp_path / "empty.parquet"
    assert run(sqlite_url, "export", "depth", "-o", str(out)).exit_code == 0
    assert pq.read_table(out).column_names[:4] == ["a", "b", "level", "level_name"]


# -- bad inputs ------------------------------------------------------------------------
def events(url: str) -> int:
    with ledger.open(url) as book:
        return book.log_position


def assert_one_line_error(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.output, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]


BAD = [
    (["export", "closeness"], 2, "'closeness' is not one of 'decay', 'depth', 'reciprocity'"),
    (["export", "decay", "--format", "xlsx"], 2, "xlsx"),
    (["export", "decay", "-o", "out.xlsx"], 2, "--format"),
    (["export", "decay", "--as-of", "someday"], 2, "--as-of"),
    (["export", "decay", "--half-life", "0"], 2, "--half-life"),
    (["export", "decay", "--half-life", "soon"], 2, "--half-life"),
    (["export", "decay", "--weight", "gossip=1"], 2, "gossip"),
    (["export", "decay", "--weight", "meeting"], 2, "KIND=WEIGHT"),
    (["export", "decay", "--weight", "meeting=-1"], 2, ">= 0"),
    (["export", "depth", "--half-life", "30"], 1, "only the decay export"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=lambda v: str(v)[:40])
def test_bad_export_is_one_line_and_writes_nothing(
    db: str, tmp_path: Path, args: list[str], code: int, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = events(db)
    assert_one_line_error(run(db, *args), code, words)
    assert events(db) == before
    assert not [p for p in os.listdir(tmp_path) if p != "ledger.db"]


def test_unwritable_output_path_leaves_nothing(db: str, tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir" / "out.csv"
    assert_one_line_error(run(db, "export", "decay", "-o", str(missing_dir)), 1, "cannot write")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        result = run(db, "export", "decay", "-o", str(locked / "out.csv"))
        assert_one_line_error(result, 1, "cannot write")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_output_that_is_a_directory_is_an_error(db: str, tmp_path: Path) -> None:
    result = run(db, "export", "decay", "--format", "csv", "-o", str(tmp_path))
    assert result.exit_code in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_failed_export_keeps_the_previous_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    assert_one_line_error(run(db, "export", "decay", "-o", str(out), "--weight", "x=1"), 2)
    with ledger.open(db) as book, pytest.raises(ledger.InvalidInputError):
        # the model is checked inside the write: the temporary file is then discarded
        exporting.export(book, "decay", "csv", out, AS_OF, weights={"gossip": 1.0})
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []
