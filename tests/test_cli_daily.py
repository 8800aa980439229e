"""Daily use, as a demanding user meets it: tables that fit 80 columns, ids that can be
pasted, text printed escaped, --limit with totals, errors that help and exit
consistently, nothing created by reading, quiet pipes, Ctrl-C, progress bars."""

from __future__ import annotations

import getpass
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main

LEDGER = str(Path(sys.executable).with_name("ledger"))
LONG = "Maximilian Alexander von Habsburg-Lothringen-Este the Younger"
ID = re.compile(r"\b[0-9a-f]{32}\b")


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url) as book:
        book.add_person("ana", "Ana Ortiz", org="Northwind Laboratories International", tags=["x"])
        book.add_person("max", LONG, org="Imperial Chancellery of Very Long Names", title=LONG)
        book.add_person("bob", "Bob", location="Chicago")
        for day in range(1, 25):
            book.record("message", "ana", "max", f"2024-01-{day:02d}T10:00:00Z", note="x" * 90)
            book.record("call", "max", "ana", f"2024-01-{day:02d}T18:00:00Z")
        book.record("meeting", "ana", ["max", "bob"], "2024-02-01T10:00:00Z", note="\x1b[31mred")
        wrong = book.record("call", "ana", "bob", "2024-02-02T10:00:00Z")
        book.retract(wrong, "oops \x1b]0;pwned\x07 wrong person")
        book.set_owner("ana")
    return url


def run(url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env={"LEDGER_TZ": "UTC", **(env or {})}).invoke(main, ["--db", url, *args])


TABLES = [
    ["show", "ana"],
    ["show", "max", "--as-of", "2024-02-10"],
    ["pair", "ana", "max", "--explain", "--as-of", "2024-02-10"],
    ["timeline", "ana"],
    ["timeline", "max", "bob"],
    ["person", "list"],
    ["settings"],
    ["audit"],
    ["network", "--as-of", "2024-03-01"],
    ["remind", "--as-of", "2024-06-01"],
    ["suggest-intros", "--as-of", "2024-03-01", "--min-depth", "inch_deep"],
    ["intros"],
    ["givers"],
    ["invitations"],
    ["who", "--lives-in", "chicago"],
    ["who", "--knows", "chancellery"],
    ["diversity"],
    ["path", "bob", "--min-depth", "inch_deep"],
]


@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a)[:30])
def test_tables_fit_80_columns_and_print_text_escaped(db: str, args: list[str]) -> None:
    result = run(db, *args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines, args
    assert max(len(line) for line in lines) <= 80, "\n".join(
        line for line in lines if len(line) > 80
    )
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_ids_are_whole_and_can_be_pasted_into_retract(db: str) -> None:
    out = run(db, "timeline", "ana", "bob").stdout
    ids = ID.findall(out)
    assert len(ids) == 2  # the meeting and the retracted call, each on its line, never cut
    words = " ".join(out.split())
    assert "retracted: oops \\x1b]0;pwned\\x07 wrong person" in words  # the reason, escaped
    assert "\\x1b[31mred" in out  # the note, escaped
    meeting = ids[0]
    assert run(db, "retract", meeting, "--reason", "not a meeting").exit_code == 0
    again = run(db, "retract", meeting, "--reason", "twice")
    assert again.exit_code == 1 and "already retracted" in again.stderr
    explained = run(db, "pair", "ana", "max", "--explain", "--as-of", "2024-01-02").stdout
    assert len(ID.findall(explained)) >= 2


def test_every_id_timeline_prints_at_the_narrowest_width_pastes_into_retract(db: str) -> None:
    """Timeline prints whole ids (32 hex digits), never a shortened one, even on the
    narrowest terminal it lays out for: each, pasted as printed, names its touchpoint."""
    with ledger.open(db) as book:
        stored = [t.touchpoint_id for t in book.timeline("ana", "bob")]
    out = run(db, "timeline", "ana", "bob", env={"COLUMNS": "40"}).stdout
    assert max(len(line) for line in out.splitlines()) <= 40
    printed = ID.findall(out)
    assert printed == stored
    first = run(db, "retract", printed[0], "--reason", "pasted")
    assert first.exit_code == 0 and first.stdout == f"retracted {printed[0]}\n"
    already = run(db, "retract", printed[1], "--reason", "pasted")  # the one retracted before
    assert already.exit_code == 1 and "already retracted" in already.stderr


def test_limit_shows_the_first_or_latest_and_reports_the_total(db: str) -> None:
    out = run(db, "timeline", "ana", "max", "--limit", "3").stdout
    assert "total: 49" in out and "showing the latest 3 of 49" in out
    assert len(ID.findall(out)) == 3
    listing = json.loads(run(db, "person", "list", "--limit", "1", "--format", "json").stdout)
    assert listing["total"] == 3 and len(listing["people"]) == 1
    shown = json.loads(run(db, "show", "ana", "--limit", "1", "--format", "json").stdout)
    assert shown["in_touch_with"] == 2 and len(shown["relationships"]) == 1
    for command in (["remind"], ["suggest-intros"], ["intros"], ["givers"], ["diversity"]):
        result = run(db, *command, "--limit", "1", "--format", "json")
        assert result.exit_code == 0, (command, result.stderr)
    who = json.loads(run(db, "who", "--knows", "x", "--limit", "1", "--format", "json").stdout)
    assert who["found"] >= len(who["people"])


def test_pair_explain_limit_lists_the_latest_contributions_and_reports_the_total(db: str) -> None:
    args = ("pair", "ana", "max", "--explain", "--as-of", "2024-02-10")
    full = json.loads(run(db, *args, "--format", "json").stdout)
    cut = json.loads(run(db, *args, "--limit", "3", "--format", "json").stdout)
    total = len(full["contributions"])
    assert total > 3 and cut["total_contributions"] == full["total_contributions"] == total
    assert cut["contributions"] == full["contributions"][-3:]  # the latest, as timeline's
    assert cut["strength"] == full["strength"]  # the strength is still the whole sum
    table = run(db, *args, "--limit", "3").stdout
    assert f"total contributions: {total}" in table
    assert f"showing the latest 3 of {total}" in table
    alone = run(db, "pair", "ana", "max", "--limit", "3")
    assert alone.exit_code == 2 and "--limit goes with --explain" in alone.stderr


# -- errors ----------------------------------------------------------------------------
BAD = [
    (["shw", "ana"], 2, "No such command 'shw'"),
    (["show", "ana", "--me", "ana"], 2, "No such option '--me'"),
    (["import", "edges", "--me", "x", "f"], 2, "No such option '--me'"),
    (["show", "nobody"], 1, "unknown person 'nobody'"),
    (["show", "Ana"], 1, "did you mean 'ana'?"),
    (["pair", "ana", "ana"], 1, "a pair is two different people (got 'ana')"),
    (["pair", "ana", "zed"], 1, "unknown person 'zed'"),
    (["timeline", "ana", "--since", "whenever"], 2, "(got 'whenever')"),
    (["show", "ana", "--tz", "Mars/Olympus"], 2, "not a time zone"),
    (["export", "closeness"], 2, "'closeness' is not one of"),
    (["who"], 2, "give --lives-in PLACE or --knows TOPIC"),
    (["retract", "abc", "--reason", "x"], 1, "no touchpoint 'abc'"),
    (["audit", "--checkpoint", "README.md"], 2, "--checkpoint and --public-key go together"),
    (["checkpoint"], 2, "give --key-file PRIVATE.pem, or --new-key PRIVATE.pem"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=lambda v: str(v)[:30])
def test_errors_name_the_value_in_one_line_without_python(
    db: str, args: list[str], code: int, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)
    result = run(db, *args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words in lines[0]
    assert not re.search(r"Error\b|Traceback|<[a-z]+ |\bNone\b|\(\)", lines[0]), lines[0]


def test_empty_answers_exit_0_and_say_so(db: str) -> None:
    nobody = run(db, "who", "--lives-in", "Atlantis")
    assert nobody.exit_code == 0 and "no match" in nobody.stdout
    no_path = run(db, "path", "bob", "--min-depth", "sustained")
    assert no_path.exit_code == 0 and "no path" in no_path.stdout
    not_in_touch = run(db, "pair", "bob", "max", "--as-of", "2023-01-01")
    assert not_in_touch.exit_code == 0 and "in touch: no" in not_in_touch.stdout
    empty = run(db, "timeline", "bob", "--until", "2020-01-01")
    assert empty.exit_code == 0 and "(no touchpoints)" in empty.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["show", "ana"],
        ["person", "list"],
        ["remind"],
        ["export", "decay"],
        ["audit"],
        ["owner"],
        ["owner", "ana"],
        ["log", "call", "--from", "a", "--to", "b", "--at", "now"],
        ["settings"],
        ["worker"],
        ["dump", "-o", "-"],
    ],
)
def test_commands_that_do_not_create_never_make_a_ledger_file(
    tmp_path: Path, args: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    result = run(url, *args)
    assert result.exit_code == 1 and "no ledger at" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failed_first_import_leaves_no_ledger(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 1700000000\n1 1 1700000001\n")  # a self-loop on line 2
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = run(url, "import", "edges", str(bad))
    assert result.exit_code == 1 and "bad.txt:2" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]
    missing = run(url, "import", "edges", str(tmp_path / "nothing.txt"))
    assert missing.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


def test_postgresql_urls_fail_clearly(tmp_path: Path) -> None:
    port = run("postgresql://u:secret@localhost:54x2/db", "show", "ana")
    assert port.exit_code == 1 and "'54x2'" in port.stderr and "secret" not in port.stderr
    socket = run("postgresql://nobody@/nodb?host=/nonexistent/socket/dir", "show", "ana")
    assert socket.exit_code == 1 and len(socket.stderr.splitlines()) == 1
    assert "/nonexistent/socket/dir" in socket.stderr
    # No user in the URL: as libpq, $PGUSER, else the operating-system user (as root on
    # a server with peer authentication, the role does not exist: one line that says so)
    no_user = run("postgresql:///db?host=/var/run/postgresql", "show", "ana", env={"PGUSER": ""})
    assert no_user.exit_code == 1 and len(no_user.stderr.splitlines()) == 1, no_user.stderr
    assert "needs" not in no_user.stderr and "unexpected" not in no_user.stderr
    assert f"as {getpass.getuser()}: " in no_user.stderr


# -- processes: pipes, Ctrl-C, progress ------------------------------------------------
def _edges(path: Path, rows: int) -> Path:
    with path.open("w") as out:
        for i in range(rows):
            a = i % 997
            out.write(f"{a} {(a + 1 + i % 13) % 997} {1_600_000_000 + i * 60}\n")
    return path


def test_output_to_a_closed_pipe_stops_quietly(db: str) -> None:
    with ledger.open(db) as book:
        book.record_many(
            ledger.Touch("message", "ana", "bob", f"@{1_700_000_000 + i}") for i in range(3000)
        )
    for args in (["timeline", "ana", "bob"], ["export", "decay"], ["person", "list"]):
        done = subprocess.run(
            f"{LEDGER} --db {db} {' '.join(args)} | head -1",
            shell=True,
            capture_output=True,
            text=True,
            env={**os.environ, "LEDGER_TZ": "UTC"},
            check=False,
            executable="/bin/bash",
        )
        assert done.stderr == "", (args, done.stderr)
        assert done.stdout.count("\n") == 1


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_nothing_half_written(tmp_path: Path) -> None:
    log = _edges(tmp_path / "big.txt", 400_000)
    url = f"sqlite:///{tmp_path / 'big.db'}"
    process = subprocess.Popen(
        [LEDGER, "--db", url, "import", "edges", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert err.strip() == "error: interrupted; nothing was half-written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]  # no ledger left


@pytest.mark.slow
def test_long_work_shows_a_bar_with_rate_and_eta_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    url = f"sqlite:///{tmp_path / 'big.db'}"
    log = _edges(tmp_path / "big.txt", 300_000)
    subprocess.run(
        [LEDGER, "--db", url, "import", "edges", str(log)], check=True, capture_output=True
    )
    piped = subprocess.run(
        [LEDGER, "--db", url, "replay"], capture_output=True, text=True, check=True
    )
    assert piped.stderr == ""  # nothing drawn when stderr is not a terminal
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [LEDGER, "--db", url, "replay", "--verify"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(terminal)
    drawn = b""
    while process.poll() is None:
        try:
            drawn += os.read(controller, 65536)
        except OSError:
            break
    process.wait(timeout=120)
    os.close(controller)
    text = drawn.decode(errors="replace")
    assert process.returncode == 0
    assert "verifying" in text and "events/s" in text and re.search(r"\d+/\d+", text)
