"""The commands for what the engine gained: encryption, forget, dump and load, migrate,
checkpoints, the worker and read-only readers, --allow-forgotten."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main
from test_migrate import _old_ledger

LEDGER = str(Path(sys.executable).with_name("ledger"))
SECRET = "correct horse battery staple"


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    base = {"LEDGER_TZ": "UTC", "LEDGER_PASSPHRASE": None, "LEDGER_KEY": None}
    return CliRunner(env={**base, **(env or {})}).invoke(main, list(args), input=input)


def secret_file(path: Path, text: str = SECRET + "\n") -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture
def plain(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    with ledger.open(url) as book:
        for key in ("ana", "bob", "cy"):
            book.add_person(key, key.title())
        book.record("meeting", "ana", ["bob", "cy"], "2024-01-01T10:00:00Z", note="kickoff")
        book.record("message", "bob", "ana", "2024-01-02T10:00:00Z")
        book.set_owner("ana")
    return url


def assert_never_shown(result: Result, secret: str = SECRET) -> None:
    assert secret not in result.stdout and secret not in result.stderr


# -- encryption ------------------------------------------------------------------------
def test_init_encrypt_with_a_passphrase_file_then_every_command_opens_it_the_same_way(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'secret.db'}"
    words = secret_file(tmp_path / "pass")
    made = run("--db", url, "--passphrase-file", str(words), "init", "--encrypt")
    assert made.exit_code == 0 and "encrypted" in made.stdout
    assert_never_shown(made)
    locked = run("--db", url, "person", "list")
    assert locked.exit_code == 1 and "--passphrase-file FILE" in locked.stderr
    for unlock in (["--passphrase-file", str(words)], []):
        env = {} if unlock else {"LEDGER_PASSPHRASE": SECRET}
        added = run("--db", url, *unlock, "person", "add", "ana", env=env)
        assert added.exit_code in (0, 1), added.stderr  # the second time: already there
        listed = run("--db", url, *unlock, "person", "list", "--format", "json", env=env)
        assert json.loads(listed.stdout)["total"] == 1
        assert_never_shown(listed)
    wrong = run("--db", url, env={"LEDGER_PASSPHRASE": "not it"})
    assert wrong.exit_code == 2  # no command: usage
    wrong = run("--db", url, "person", "list", env={"LEDGER_PASSPHRASE": "guess"})
    assert wrong.exit_code == 1 and "does not open this ledger" in wrong.stderr
    assert "guess" not in wrong.stderr
    again = run("--db", url, "--passphrase-file", str(words), "init", "--encrypt")
    assert again.exit_code == 1 and "exists already" in again.stderr


def test_a_key_file_and_refused_secret_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keyed.db'}"
    key = secret_file(tmp_path / "key", "ab" * 32 + "\n")
    assert run("--db", url, "--key-file", str(key), "init", "--encrypt").exit_code == 0
    assert run("--db", url, "--key-file", str(key), "person", "add", "ana").exit_code == 0
    open_to_all = tmp_path / "shared"
    open_to_all.write_text(SECRET)
    open_to_all.chmod(0o644)
    refused = run("--db", url, "--passphrase-file", str(open_to_all), "person", "list")
    assert refused.exit_code == 1 and "can be read by others" in refused.stderr
    assert_never_shown(refused)
    nothing = run("--db", f"sqlite:///{tmp_path / 'other.db'}", "init", "--encrypt")
    assert nothing.exit_code == 1 and "needs a passphrase or a key" in nothing.stderr
    assert not (tmp_path / "other.db").exists()


@pytest.mark.slow
def test_a_passphrase_is_typed_twice_at_a_terminal_and_asked_for_after(tmp_path: Path) -> None:
    import pty

    url = f"sqlite:///{tmp_path / 'typed.db'}"

    def at_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
        pid, fd = pty.fork()
        if pid == 0:  # the child: ledger on a terminal
            os.environ.pop("LEDGER_PASSPHRASE", None)
            os.execv(LEDGER, [LEDGER, "--db", url, *args])
        seen = b""
        for answer in answers:
            while b": " not in seen.rsplit(b"\n", 1)[-1]:
                seen += os.read(fd, 1024)
            os.write(fd, answer.encode() + b"\n")
            seen += b"\n"
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")

    code, seen = at_terminal(["init", "--encrypt"], [SECRET, SECRET])
    assert code == 0 and "new passphrase for" in seen and "repeat it" in seen
    assert SECRET not in seen  # not echoed
    code, seen = at_terminal(["person", "list"], [SECRET])
    assert code == 0 and "passphrase for sqlite:///" in seen and "total: 0" in seen
    code, seen = at_terminal(["person", "list"], ["wrong"])
    assert code == 1 and "does not open this ledger" in seen


# -- forget and --allow-forgotten ------------------------------------------------------
def test_forget_then_imports_refuse_them_unless_allowed(plain: str, tmp_path: Path) -> None:
    done = run("--db", plain, "forget", "cy", "--reason", "request 17")
    assert done.exit_code == 0 and "forgot cy" in done.stdout
    gone = run("--db", plain, "show", "cy")
    assert gone.exit_code == 1 and "unknown person 'cy'" in gone.stderr
    log = tmp_path / "later.txt"
    log.write_text("cy bob 1700000000\n")
    refused = run("--db", plain, "import", "edges", str(log))
    assert refused.exit_code == 1 and "was forgotten" in refused.stderr
    allowed = run("--db", plain, "import", "edges", str(log), "--allow-forgotten")
    assert allowed.exit_code == 0, allowed.stderr
    assert run("--db", plain, "show", "cy").exit_code == 0
    no_reason = run("--db", plain, "forget", "bob")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr


# -- dump, load, migrate ---------------------------------------------------------------
def test_dump_and_load_give_the_same_answers(plain: str, tmp_path: Path) -> None:
    words = secret_file(tmp_path / "pass")
    for sealed in (True, False):
        dump = tmp_path / f"backup-{sealed}.dump"
        extra = ["--passphrase-file", str(words)] if sealed else []
        made = run("--db", plain, "dump", "-o", str(dump), *extra)
        assert made.exit_code == 0, made.stderr
        assert ("not sealed" in made.stderr) is not sealed
        copy = f"sqlite:///{tmp_path / f'copy-{sealed}.db'}"
        loaded = run("--db", copy, "load", str(dump), *extra)
        assert loaded.exit_code == 0 and "loaded" in loaded.stdout, loaded.stderr
        for args in (["export", "decay", "--as-of", "2024-06-01"], ["timeline", "ana"]):
            assert run("--db", copy, *args).stdout == run("--db", plain, *args).stdout
    sealed_dump = tmp_path / "backup-True.dump"
    target = tmp_path / "never.db"
    refused = run("--db", f"sqlite:///{target}", "load", str(sealed_dump))
    assert refused.exit_code == 1 and "is sealed" in refused.stderr
    assert not target.exists()  # a failed load leaves nothing behind
    busy = run("--db", plain, "load", str(tmp_path / "backup-False.dump"))
    assert busy.exit_code == 1 and "not empty" in busy.stderr
    encrypted = f"sqlite:///{tmp_path / 'enc.db'}"
    args = ("--db", encrypted, "--passphrase-file", str(words), "load", "--encrypt")
    assert run(*args, str(tmp_path / "backup-False.dump")).exit_code == 0
    assert run("--db", encrypted, "show", "ana").exit_code == 1  # locked without the passphrase


def test_dump_to_a_pipe(plain: str, tmp_path: Path) -> None:
    done = subprocess.run(
        f"{LEDGER} --db {plain} dump -o - | wc -c",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(done.stdout) > 500


def test_migrate_an_old_ledger(tmp_path: Path) -> None:
    _old_ledger(tmp_path / "old.db")
    old, new = f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}"
    refused = run("--db", old, "show", "charles")
    assert refused.exit_code == 1 and "ledger migrate OLD NEW" in refused.stderr
    moved = run("migrate", old, new)
    assert moved.exit_code == 0 and "migrated" in moved.stdout, moved.stderr
    assert run("--db", new, "show", "charles").exit_code == 0
    again = run("migrate", old, new)
    assert again.exit_code == 1 and "not empty" in again.stderr


# -- checkpoints and audits ------------------------------------------------------------
def test_checkpoint_then_audit_against_it(plain: str, tmp_path: Path) -> None:
    key = tmp_path / "signing.pem"
    made = run("checkpoint", "--new-key", str(key))
    assert made.exit_code == 0 and (tmp_path / "signing.pem.pub").is_file()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert run("checkpoint", "--new-key", str(key)).exit_code == 1  # never overwritten
    checkpoint = tmp_path / "cp.json"
    signed = run("--db", plain, "checkpoint", "--key-file", str(key), "-o", str(checkpoint))
    assert signed.exit_code == 0, signed.stderr
    run("--db", plain, "log", "call", "--from", "ana", "--to", "bob", "--at", "now")
    args = ("--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "signing.pem.pub"))
    audited = run("--db", plain, "audit", *args, "--format", "json")
    assert audited.exit_code == 0, audited.stderr
    assert json.loads(audited.stdout)["after_checkpoint"] == 1
    other = tmp_path / "other.pem"
    run("checkpoint", "--new-key", str(other))
    forged = run(
        "--db",
        plain,
        "audit",
        "--checkpoint",
        str(checkpoint),
        "--public-key",
        str(tmp_path / "other.pem.pub"),
    )
    assert forged.exit_code == 1 and "signature does not match" in forged.stderr
    to_stdout = run("--db", plain, "checkpoint", "--key-file", str(key))
    assert json.loads(to_stdout.stdout)["checkpoint"]["events"] >= 1


# -- worker and read-only readers ------------------------------------------------------
def test_read_only_reads_and_refuses_writes(plain: str) -> None:
    with ledger.open(plain) as book:
        book.catch_up()
    assert run("--db", plain, "--read-only", "show", "ana").exit_code == 0
    for args in (
        ["log", "call", "--from", "ana", "--to", "bob", "--at", "now"],
        ["owner", "bob"],
        ["replay"],
        ["init"],
        ["worker"],
        ["import", "edges", "README.md"],
    ):
        refused = run("--db", plain, "--read-only", *args)
        assert refused.exit_code in (1, 2) and "read_only" in refused.stderr, (args, refused.stderr)


def test_the_worker_keeps_the_views_and_stops_cleanly(plain: str) -> None:
    for flags, stop in (([], signal.SIGTERM), (["-v"], signal.SIGINT)):
        process = subprocess.Popen(
            [LEDGER, "--db", plain, "worker", "--wait", "0.1", *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        with ledger.open(plain) as book:
            book.record("message", "cy", "ana", "2024-02-01T10:00:00Z")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with ledger.open(plain, read_only=True) as reader:
                if reader.pending == 0:
                    break
            time.sleep(0.1)
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert err == ""
        lines = out.splitlines()
        assert lines[-1].startswith("stopped after applying")
        assert ("applied 1 event; position" in out) is bool(flags)  # rounds only with -v
        assert len(lines) == (2 if flags else 1)
