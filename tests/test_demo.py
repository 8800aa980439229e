"""``python -m ledger.cli.demo`` runs anywhere and says what a user wants to know."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from conftest import SHARED_DATA


def test_demo_runs_in_a_fresh_directory_and_reports(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ledger.cli.demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "12 people" in out
    assert "(1 retracted)" in out
    for title in (
        "Strongest relationships as of 2023-12-31",
        "Strongest relationships as of 2024-12-31",
        "Fading: strength 2023-12-31 → 2024-12-31",
        "Depth distribution",
        "inch-deep share",
        "reciprocity coefficient",
    ):
        assert title in out
    fading = out[out.index("Fading") : out.index("Depth distribution")]
    assert "Ana Ortiz – Jon Berg" in fading
    assert "Ana Ortiz – Ben Carter" not in fading
    assert (tmp_path / "demo-out" / "ledger.db").is_file()
    for written in ("synthetic-decay.csv", "synthetic-network.png"):
        assert (tmp_path / "demo-out" / written).stat().st_size > 100
    assert "owned by ana" in out
    commands = [line.strip()[2:] for line in out.splitlines() if line.startswith("  $ ")]
    assert len(commands) >= 8 and any(" remind " in c for c in commands)
    for command in commands:  # every command it suggests works on the demo ledger
        done = subprocess.run(
            shlex.split(command), cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0 and done.stdout.strip(), (command, done.stderr)
        assert "error" not in done.stderr
        if " remind " in command:
            assert "jon" in done.stdout  # Ana's fading tie is the first reminder
    if SHARED_DATA.is_dir():  # the real log is shown whenever the data is there
        assert "Imported 59,835 lines: 59,835 touchpoints and 1,899 people" in out
        assert (tmp_path / "demo-out" / "collegemsg-network.png").stat().st_size > 10_000
        assert (tmp_path / "demo-out" / "collegemsg-decay.csv").read_text().count("\n") > 13_000
    else:
        assert "No ../shared/data here" in out


def test_demo_is_deterministic_and_starts_afresh(tmp_path: Path) -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-m", "ledger.cli.demo"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
