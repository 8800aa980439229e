"""The ``ledger`` command as a user runs it: every command, its output formats, and its
bad inputs (one line on stderr, the right exit status, nothing written)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main

HISTORY = [
    ("meeting", "ada", ["charles"], "1833-06-05T19:00:00+00:00"),
    ("message", "charles", ["ada"], "1833-06-07T09:00:00+00:00"),
    ("email", "mary", ["ada", "charles"], "1834-01-10T12:00:00+00:00"),
    ("message", "ada", ["mary"], "1834-02-01T12:00:00+00:00"),
    ("call", "charles", ["ada"], "1834-03-01T12:00:00+00:00"),
]


def populate(url: str) -> None:
    with ledger.open(url) as book:
        book.add_person("ada", "Ada Lovelace", org="Analytical Engines", tags=["math"])
        book.add_person("charles", "Charles Babbage")
        book.add_person("mary", "Mary Somerville")
        for kind, initiator, counterparts, at in HISTORY:
            book.record(kind, initiator, counterparts, at)


def events(url: str) -> int:
    with ledger.open(url) as book:
        return book.log_position


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A populated ledger that outlives one process: a SQLite file or PostgreSQL."""
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    populate(url)
    return url


@pytest.fixture
def populated(sqlite_url: str) -> str:
    populate(sqlite_url)
    return sqlite_url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


def assert_one_line_error(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.output, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


# -- help ------------------------------------------------------------------------------
COMMANDS = [
    [],
    ["init"],
    ["person"],
    ["person", "add"],
    ["person", "update"],
    ["person", "list"],
    ["log"],
    ["retract"],
    ["show"],
    ["pair"],
    ["timeline"],
    ["replay"],
    ["export"],
    ["plot"],
    ["plot", "pair"],
    ["plot", "network"],
    ["plot", "depth"],
    ["plot", "graph"],
    ["settings"],
    ["audit"],
    ["owner"],
    ["network"],
    ["remind"],
    ["snooze"],
    ["suggest-intros"],
    ["path"],
    ["intros"],
    ["givers"],
    ["invitations"],
    ["who"],
    ["diversity"],
    ["import"],
    ["import", "edges"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ledger")
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: ledger" in result.output
    assert len(result.output.splitlines()) > 4


# -- recording -------------------------------------------------------------------------
def test_init_person_log_show_in_a_new_ledger(sqlite_url: str) -> None:
    assert run(sqlite_url, "init").exit_code == 0
    assert run(sqlite_url, "person", "add", "ada", "--name", "Ada", "--tag", "math").exit_code == 0
    assert run(sqlite_url, "person", "add", "bob").exit_code == 0
    logged = run(
        sqlite_url, "log", "meeting", "--from", "ada", "--to", "bob", "--at", "@1700000000"
    )
    assert logged.exit_code == 0, logged.stderr
    touchpoint_id = logged.output.strip()
    with ledger.open(sqlite_url) as book:
        assert book.touchpoint(touchpoint_id).kind == "meeting"
        view = book.pair("ada", "bob")
        assert view is not None and view.depth.level_name == "live"
    shown = run(sqlite_url, "show", "ada", "--format", "json")
    document = json.loads(shown.output)
    assert document["tags"] == ["math"]
    assert [r["with"] for r in document["relationships"]] == ["bob"]


def test_log_with_every_detail(populated: str) -> None:
    result = run(
        populated,
        *("log", "favor", "--from", "ada", "--to", "mary", "--at", "1834-05-01T10:00:00Z"),
        *("--note", "lent a book", "--personalized", "--giver", "counterparts"),
        *("--duration", "60"),
    )
    assert result.exit_code == 0, result.stderr
    with ledger.open(populated) as book:
        found = book.touchpoint(result.output.strip())
    assert (found.note, found.personalized, found.giver) == ("lent a book", True, "counterparts")
    assert found.duration_seconds == 60


def test_person_update_and_show_as_of(populated: str) -> None:
    updated = run(
        populated, "person", "update", "ada", "--org", "Royal Society", "--since", "1840-01-01"
    )
    assert updated.exit_code == 0, updated.stderr
    before = json.loads(
        run(populated, "show", "ada", "--as-of", "1839-12-31", "--format", "json").output
    )
    after = json.loads(run(populated, "show", "ada", "--format", "json").output)
    assert (before["org"], after["org"]) == ("Analytical Engines", "Royal Society")
    cleared = run(populated, "person", "update", "ada", "--clear", "org")
    assert cleared.exit_code == 0
    assert "org" not in json.loads(run(populated, "show", "ada", "--format", "json").output)


def test_show_matches_the_api(cli_url: str) -> None:
    as_of = "1834-06-30T00:00:00+00:00"
    document = json.loads(run(cli_url, "show", "ada", "--as-of", as_of, "--format", "json").output)
    with ledger.open(cli_url) as book:
        expected = book.relationships("ada", as_of)
    assert [r["with"] for r in document["relationships"]] == [v.other("ada") for v in expected]
    for row, view in zip(document["relationships"], expected, strict=True):
        assert row["strength"] == view.strength
        assert row["depth"] == view.depth.level_name


def test_show_table_is_readable(populated: str) -> None:
    result = run(populated, "show", "ada", "--as-of", "1834-06-30")
    assert result.exit_code == 0
    assert "Ada Lovelace" in result.output and "charles" in result.output
    assert "live" in result.output


def test_person_list_csv(populated: str) -> None:
    result = run(populated, "person", "list", "--format", "csv")
    assert result.output.splitlines()[0] == "key,name,org,title,location,tags"
    assert result.output.splitlines()[1].startswith("ada,Ada Lovelace,Analytical Engines")


def test_pair_and_explain_sum_to_the_strength(cli_url: str) -> None:
    as_of = "1834-06-30"
    plain = json.loads(
        run(cli_url, "pair", "charles", "ada", "--as-of", as_of, "--format", "json").output
    )
    explained = json.loads(
        run(
            cli_url, "pair", "ada", "charles", "--as-of", as_of, "--explain", "--format", "json"
        ).output
    )
    with ledger.open(cli_url) as book:
        view = book.pair("ada", "charles", "1834-06-30T23:59:59.999999+00:00")
    assert view is not None
    assert (plain["a"], plain["b"], plain["depth"]) == ("ada", "charles", "live")
    assert plain["strength"] == view.strength
    assert (plain["a_to_b"], plain["b_to_a"]) == (view.reciprocity.a_to_b, view.reciprocity.b_to_a)
    total = sum(c["contribution"] for c in explained["contributions"])
    assert total == pytest.approx(explained["strength"], rel=1e-12)
    assert explained["strength"] == pytest.approx(view.strength, rel=1e-12)
    assert len(explained["contributions"]) == 3  # mary's e-mail to both is not between them
    assert any(reason.startswith("live:") for reason in explained["depth_reasons"])
    # by hand: the meeting (4), charles's message (1, a session of its own), the call (3)
    end = datetime(1834, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
    ages = [(end - datetime.fromisoformat(at)).total_seconds() / 86_400 for *_, at in HISTORY]
    expected = 4 * 2 ** (-ages[0] / 90) + 1 * 2 ** (-ages[1] / 90) + 3 * 2 ** (-ages[4] / 90)
    assert plain["strength"] == pytest.approx(expected, rel=1e-12)
    weights = [(c["kind"], c["weight"], c["group"], c["shape"]) for c in explained["contributions"]]
    assert weights == [("meeting", 4, 1, 1), ("message", 1, 1, 1), ("call", 3, 1, 1)]


def test_pair_reciprocity_is_seen_from_the_first_key_and_counts_openings(populated: str) -> None:
    for k, minute in enumerate((0, 5, 9)):  # one conversation: ada opens it, charles answers
        sender, receiver = ("ada", "charles") if k % 2 == 0 else ("charles", "ada")
        at = f"1834-04-01T10:{minute:02d}:00Z"
        assert run(populated, "log", "message", "--from", sender, "--to", receiver, "--at", at)
    document = json.loads(
        run(populated, "pair", "charles", "ada", "--as-of", "1834-04-02", "--format", "json").output
    )
    # opened: ada the meeting and the April conversation, charles his June message and the call
    assert (document["a"], document["a_to_b"], document["b_to_a"]) == ("ada", 2, 2)
    explained = json.loads(
        run(
            populated,
            *("pair", "ada", "charles", "--as-of", "1834-04-02", "--explain", "--format", "json"),
        ).output
    )
    shapes = [c["shape"] for c in explained["contributions"] if c["occurred_at"] >= "1834-04"]
    # the session's messages add f(j) - f(j - 1) with f(k) = log2(1 + k)
    assert shapes == pytest.approx([1.0, math.log2(3) - 1, 2 - math.log2(3)], rel=1e-12)


def test_pair_model_overrides_are_for_one_question(populated: str) -> None:
    before = events(populated)
    args = ("pair", "ada", "charles", "--as-of", "1834-06-30", "--format", "json")
    default = json.loads(run(populated, *args).output)
    other = json.loads(run(populated, *args, "--half-life", "30", "--weight", "meeting=10").output)
    with ledger.open(populated) as book:
        view = book.pair(
            "ada",
            "charles",
            "1834-06-30T23:59:59.999999Z",
            half_life_days=30,
            weights={"meeting": 10},
        )
        assert view is not None and other["strength"] == pytest.approx(view.strength, rel=1e-12)
        assert book.decay_model.half_life_days == 90.0 and book.settings_history() == []
    assert other["strength"] != default["strength"]
    explained = json.loads(run(populated, *args, "--explain", "--half-life", "30").output)
    assert explained["half_life_days"] == 30.0
    assert events(populated) == before  # nothing stored, nothing rebuilt


def test_pair_not_in_touch(populated: str) -> None:
    result = run(populated, "pair", "ada", "mary", "--as-of", "1833-01-01", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["in_touch"] is False


def test_timeline_formats_and_window(populated: str) -> None:
    rows = [
        json.loads(line)
        for line in run(
            populated, "timeline", "ada", "charles", "--format", "jsonl"
        ).output.splitlines()
    ]
    # between the two: mary's e-mail to both is not (as in the strength)
    assert [r["kind"] for r in rows] == ["meeting", "message", "call"]
    windowed = run(
        populated,
        "timeline",
        "ada",
        "--since",
        "1834-01-01",
        "--until",
        "1834-02-01",
        "--format",
        "csv",
    )
    lines = windowed.output.splitlines()
    assert lines[0].startswith("occurred_at,kind,initiator")
    assert [line.split(",")[1] for line in lines[1:]] == ["email", "message"]


def test_retract_then_timeline_shows_it(populated: str) -> None:
    first = json.loads(run(populated, "timeline", "ada", "--format", "json").output)["touchpoints"][
        0
    ]
    result = run(populated, "retract", first["touchpoint_id"], "--reason", "never happened")
    assert result.exit_code == 0, result.stderr
    again = json.loads(run(populated, "timeline", "ada", "--format", "json").output)["touchpoints"][
        0
    ]
    assert again["retracted_reason"] == "never happened"
    twice = run(populated, "retract", first["touchpoint_id"], "--reason", "again")
    assert_one_line_error(twice, 1, "already retracted")


def test_init_records_settings_and_settings_shows_who_changed_what(sqlite_url: str) -> None:
    first = run(sqlite_url, "init", "--half-life", "30", "--weight", "meeting=5")
    assert first.exit_code == 0, first.stderr
    assert "decay half-life 30 days" in first.output
    assert "recorded: half-life 30 days, weight meeting=5" in first.output
    again = run(
        sqlite_url, "init", "--half-life", "30", "--weight", "email=2", "--timezone", "Europe/Paris"
    )
    assert "recorded: weight email=2, time zone Europe/Paris" in again.output  # 30: unchanged
    document = json.loads(run(sqlite_url, "settings", "--format", "json").output)
    assert (document["half_life_days"], document["timezone"], document["owner"]) == (
        30.0,
        "Europe/Paris",
        None,
    )
    weights = document["weights"]
    assert (weights["meeting"], weights["email"], weights["call"]) == (5.0, 2.0, 3.0)
    history = [(h["version"], h["setting"], h["value"]) for h in document["history"]]
    assert history == [
        (1, "half_life_days", 30.0),
        (1, "weights", {"meeting": 5.0}),
        (2, "weights", {"email": 2.0}),
        (3, "timezone", "Europe/Paris"),
    ]
    assert all(h["actor"] and h["recorded_at"] for h in document["history"])
    assert run(sqlite_url, "person", "add", "ada").exit_code == 0
    assert run(sqlite_url, "owner", "ada").exit_code == 0
    table = run(sqlite_url, "settings").output
    assert "owner: ada" in table and "meeting=5" in table and "Europe/Paris" in table
    unchanged = run(sqlite_url, "init", "--half-life", "30")
    assert "recorded" not in unchanged.output


BAD_SETTINGS = [
    (["init", "--half-life", "0"], "--half-life"),
    (["init", "--half-life", "-3"], "--half-life"),
    (["init", "--half-life", "inf"], "finite"),
    (["init", "--half-life", "nan"], "finite"),
    (["init", "--weight", "gossip=1"], "known kinds: message, email"),
    (["init", "--weight", "meeting=-1"], ">= 0"),
    (["init", "--weight", "meeting=inf"], "finite"),
    (["init", "--weight", "meeting"], "KIND=WEIGHT"),
    (["init", "--timezone", "Mars/Olympus_Mons"], "time zone"),
    (["pair", "ada", "mary", "--half-life", "0"], "--half-life"),
    (["pair", "ada", "mary", "--weight", "gossip=2"], "gossip"),
]


@pytest.mark.parametrize(("args", "words"), BAD_SETTINGS, ids=lambda v: str(v)[:40])
def test_bad_settings_are_usage_errors_and_store_nothing(
    populated: str, args: list[str], words: str
) -> None:
    before = events(populated)
    assert_one_line_error(run(populated, *args), 2, words)
    assert events(populated) == before
    with ledger.open(populated) as book:
        assert book.settings_history() == []


def test_db_option_on_the_command_and_from_the_environment(
    populated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(main, ["show", "ada", "--db", populated]).exit_code == 0
    monkeypatch.setenv("LEDGER_DB", populated)
    assert CliRunner().invoke(main, ["show", "ada"]).exit_code == 0


# -- bad inputs ------------------------------------------------------------------------
BAD = [
    (["show", "nobody"], 1, "unknown person 'nobody'"),
    (["pair", "ada", "nobody"], 1, "unknown person"),
    (["timeline", "nobody"], 1, "unknown person"),
    (["person", "update", "nobody", "--org", "x"], 1, "unknown person"),
    (["person", "add", "ada"], 1, "already exists"),
    (["person", "update", "ada"], 1, "nothing to update"),
    (
        ["log", "meeting", "--from", "ada", "--to", "nobody", "--at", "2024-01-01T00:00Z"],
        1,
        "unknown person",
    ),
    (
        ["log", "meeting", "--from", "ada", "--to", "ada", "--at", "2024-01-01T00:00Z"],
        1,
        "two different",
    ),
    (
        ["log", "meeting", "--from", "ada", "--to", "mary", "--at", "2024-01-01T09:00"],
        2,
        "no time zone",
    ),
    (["log", "meeting", "--from", "ada", "--to", "mary", "--at", "2024-01-01"], 2, "--at"),
    (["log", "meeting", "--from", "ada", "--to", "mary", "--at", "yesterday"], 2, "a day is not"),
    (["log", "meeting", "--from", "ada", "--to", "mary", "--at", "soon"], 2, "not a time"),
    (["log", "meeting", "--from", "ada", "--to", "mary", "--at", "@soon"], 2, "@UNIXSECONDS"),
    (["log", "gossip", "--from", "ada", "--to", "mary", "--at", "2024-01-01T00:00Z"], 2, "gossip"),
    (["log", "meeting", "--to", "mary", "--at", "2024-01-01T00:00Z"], 2, "--from"),
    (["retract", "0123456789abcdef0123456789abcdef", "--reason", "x"], 1, "no touchpoint"),
    (["retract", "not-an-id", "--reason", "x"], 1, "ledger timeline"),
    (["retract", "0123456789abcdef0123456789abcdef", "--reason", " "], 1, "say why"),
    (["retract", "0123456789abcdef0123456789abcdef"], 2, "--reason"),
    (["show", "ada", "--as-of", "2024-13-45"], 2, "--as-of"),
    (["show", "ada", "--as-of", "last tuesday"], 2, "--as-of"),
    (["pair", "ada", "mary", "--as-of", "12:00"], 2, "--as-of"),
    (["timeline", "ada", "--since", "soon"], 2, "--since"),
    (["show", "ada", "--format", "xml"], 2, "xml"),
    (["bogus"], 2, "bogus"),
    (["show", "ada", "--bogus"], 2, "--bogus"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=lambda v: str(v)[:40])
def test_bad_input_is_one_line_and_writes_nothing(
    populated: str, args: list[str], code: int, words: str
) -> None:
    before = events(populated)
    assert_one_line_error(run(populated, *args), code, words)
    assert events(populated) == before


def test_a_missing_ledger_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{missing}", "show", "ada"])
    assert_one_line_error(result, 1, "no ledger at", "ledger init")
    assert not missing.exists()
    in_missing_dir = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    assert_one_line_error(
        CliRunner().invoke(main, ["--db", in_missing_dir, "init"]), 1, "does not exist"
    )


def test_an_unsupported_url_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", "mysql://x/y", "init"])
    assert_one_line_error(result, 1, "unsupported ledger URL")


# -- the console script ----------------------------------------------------------------
def console_script() -> str:
    found = shutil.which("ledger") or str(Path(sys.executable).parent / "ledger")
    if not Path(found).exists():
        pytest.skip("the ledger console script is not installed (pip install -e .)")
    return found


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """A working directory of its own, without $LEDGER_DB: the default ledger.db lands here."""
    yield tmp_path


def script(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DB"}
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_console_script_end_to_end_with_the_default_ledger(in_tmp: Path) -> None:
    assert script(in_tmp, "init").returncode == 0
    assert (in_tmp / "ledger.db").exists()
    assert script(in_tmp, "person", "add", "ada").returncode == 0
    assert script(in_tmp, "person", "add", "bob").returncode == 0
    logged = script(
        in_tmp, "log", "call", "--from", "ada", "--to", "bob", "--at", "2024-03-01T10:00:00+01:00"
    )
    assert logged.returncode == 0, logged.stderr
    pair = script(in_tmp, "pair", "ada", "bob", "--as-of", "2024-03-02", "--format", "json")
    assert pair.returncode == 0
    assert json.loads(pair.stdout)["strength"] == pytest.approx(
        3.0 * 2 ** (-(15 + 24) / 24 / 90), rel=1e-9
    )


def test_console_script_errors_and_exit_codes(in_tmp: Path) -> None:
    missing = script(in_tmp, "show", "ada")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: ") and len(missing.stderr.splitlines()) == 1
    assert script(in_tmp, "init").returncode == 0
    unknown = script(in_tmp, "show", "nobody")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "error: key: unknown person 'nobody' ('ledger person list' lists everyone; "
        "'ledger person add' adds someone)",
    )
    usage = script(in_tmp, "log", "call", "--from", "a", "--to", "b", "--at", "2024-03-01T10:00")
    assert usage.returncode == 2 and len(usage.stderr.splitlines()) == 1
    assert script(in_tmp, "--help").returncode == 0


def test_importing_the_cli_stays_light() -> None:
    heavy = ("matplotlib", "pyarrow", "networkx", "rich.progress", "pandas")
    code = f"import sys, ledger.cli.main; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
