"""``ledger plot`` (and :mod:`ledger.outputs.plot`'s series) and ``ledger replay [--verify]``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main
from ledger.outputs import plot as plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HISTORY = [
    ("meeting", "ada", ["charles"], "2024-01-05T19:00:00+00:00"),
    ("message", "charles", ["ada"], "2024-01-07T09:00:00+00:00"),
    ("email", "mary", ["ada", "charles"], "2024-02-10T12:00:00+00:00"),
    ("message", "ada", ["mary"], "2024-03-01T12:00:00+00:00"),
    ("call", "charles", ["ada"], "2024-04-01T12:00:00+00:00"),
    ("message", "ada", ["charles"], "2024-06-20T12:00:00+00:00"),
]


@pytest.fixture
def db(sqlite_url: str) -> str:
    with ledger.open(sqlite_url) as book:
        for key in ("ada", "charles", "mary"):
            book.add_person(key)
        for kind, initiator, counterparts, at in HISTORY:
            book.record(kind, initiator, counterparts, at)
    return sqlite_url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


def events(url: str) -> int:
    with ledger.open(url) as book:
        return book.log_position


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000


def test_plot_pair_writes_a_png(db: str, tmp_path: Path) -> None:
    out = tmp_path / "pair.png"
    result = run(db, "plot", "pair", "ada", "charles", "--until", "2024-09-30", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert_png(out)


def test_plot_network_writes_a_png(db: str, tmp_path: Path) -> None:
    out = tmp_path / "network.png"
    result = run(db, "plot", "network", "--until", "2024-09-30", "--points", "12", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert_png(out)


def test_strength_series_agrees_with_the_api(db: str) -> None:
    with ledger.open(db) as book:
        series = plotting.strength_series(
            book, "charles", "ada", until="2024-09-30T00:00:00+00:00", points=50
        )
        assert (series.a, series.b, len(series.touches)) == ("ada", "charles", 4)
        assert series.times[0] == series.touches[0].occurred_at
        for moment, strength in list(zip(series.times, series.strengths, strict=True))[::7]:
            view = book.pair("ada", "charles", moment)
            assert strength == pytest.approx(view.strength if view else 0.0, rel=1e-12)
        # by hand, just after the call: the meeting (4), charles's message (1), the call (3)
        call = series.touches[2].occurred_at
        after = series.strengths[series.times.index(call)]
        ages = [
            (call - datetime.fromisoformat(at)).total_seconds() / 86_400
            for at in (HISTORY[0][3], HISTORY[1][3])
        ]
        assert after == pytest.approx(4 * 2 ** (-ages[0] / 90) + 2 ** (-ages[1] / 90) + 3)
        before = series.strengths[series.times.index(call) - 1]  # a microsecond earlier
        assert after - before == pytest.approx(3.0, rel=1e-9)


def test_a_busy_pair_is_sampled_at_the_points_only(db: str) -> None:
    with ledger.open(db) as book:
        series = plotting.strength_series(
            book, "ada", "charles", until="2024-09-30T00:00:00+00:00", points=3
        )
        assert len(series.touches) == 4 and len(series.times) == 3  # 4 jumps, 3 instants
        for moment, strength in zip(series.times, series.strengths, strict=True):
            view = book.pair("ada", "charles", moment)
            assert strength == pytest.approx(view.strength if view else 0.0, rel=1e-12)


def test_network_series_agrees_with_the_api(db: str) -> None:
    with ledger.open(db) as book:
        steps: list[int] = []
        series = plotting.network_series(
            book, points=5, until="2024-07-01T00:00:00+00:00", on_step=lambda d, t: steps.append(d)
        )
        assert steps == [1, 2, 3, 4, 5]
        assert series[-1] == book.network("2024-07-01T00:00:00+00:00")
        assert series[0].as_of.isoformat() == "2024-01-05T19:00:00+00:00"
        assert series[0].pairs == 1


PLOT_BAD = [
    (["plot", "pair", "ada", "nobody", "-o", "x.png"], 1, "unknown person"),
    (["plot", "pair", "ada", "charles", "--since", "whenever", "-o", "x.png"], 2, "--since"),
    (["plot", "pair", "ada", "charles"], 2, "--output"),
    (["plot", "network", "--until", "soon", "-o", "x.png"], 2, "--until"),
    (["plot", "pie", "-o", "x.png"], 2, "pie"),
    (["plot", "pair", "ada", "charles", "-o", "no/such/dir/x.png"], 1, "cannot write"),
]


@pytest.mark.parametrize(("args", "code", "words"), PLOT_BAD, ids=lambda v: str(v)[:40])
def test_bad_plot_is_one_line_and_writes_nothing(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int, words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    before = events(db)
    result = run(db, *args)
    assert result.exit_code == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0]
    assert events(db) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.db"]


# -- replay ----------------------------------------------------------------------------
def test_replay_rebuilds_and_verify_agrees(db: str) -> None:
    before = events(db)
    result = run(db, "replay")
    assert result.exit_code == 0, result.stderr
    assert result.output.strip() == f"replayed {before} events"
    verified = run(db, "replay", "--verify")
    assert verified.exit_code == 0, verified.stderr
    assert "consistent" in verified.output
    assert events(db) == before


def test_verify_names_the_first_difference_and_replay_repairs_it(db: str) -> None:
    assert run(db, "person", "list").exit_code == 0  # the views catch up on a read
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM ledger_view_people WHERE key = 'mary'")
    broken = run(db, "replay", "--verify")
    assert broken.exit_code == 1
    lines = broken.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: views differ")
    assert "mary" in lines[0]
    assert run(db, "replay").exit_code == 0
    assert run(db, "replay", "--verify").exit_code == 0


def test_replay_on_a_missing_ledger(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), "replay"])
    assert result.exit_code == 1 and result.stderr.startswith("error: url: no ledger")
    assert not (tmp_path / "none.db").exists()


def test_replays_and_catch_ups_report_their_progress(db: str) -> None:
    total = events(db)
    with ledger.open(db) as book:
        assert book.pending == total  # nothing applied yet: the views catch up on reads
        seen: list[int] = []
        # a new ledger's first catch-up also stamps the views (today: by a rebuild, so it
        # may apply the events twice)
        assert book.catch_up(progress=seen.append) >= total
        assert seen and seen[-1] == total
        assert book.pending == 0
        for replay in (book.rebuild, book.verify):
            seen.clear()
            replay(progress=seen.append)
            assert seen[-1] == total, replay


def test_queries_catch_a_backlog_up_under_a_bar_when_opened_writes_and_replays_do_not(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []  # the command whose catch-up reported progress
    real = ledger.Ledger.catch_up

    def spy(self: ledger.Ledger, progress: Callable[[int], None] | None = None) -> int:
        if progress is not None:
            shown.append(command)
        return real(self, progress)

    monkeypatch.setattr(ledger.Ledger, "catch_up", spy)
    for command, args in [
        ("log", ["log", "message", "--from", "ada", "--to", "mary", "--at", "@1720000000"]),
        ("person add", ["person", "add", "eve"]),
        ("replay", ["replay"]),
        ("log again", ["log", "call", "--from", "ada", "--to", "mary", "--at", "@1720000100"]),
        ("person list", ["person", "list"]),
    ]:
        result = run(db, *args)
        assert result.exit_code == 0, (command, result.stderr)
    assert shown == ["person list"]
    with ledger.open(db) as book:
        assert book.pending == 0
