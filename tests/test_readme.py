"""The README's Python examples run, in order, exactly as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = BLOCKS[index]
    exec(compile(code, f"README.md[python block {index + 1}]", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    for expected in re.findall(r"# -> (.*)", code):
        assert expected.strip() in printed


SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("index", range(len(SHELL_BLOCKS)))
def test_readme_shell_example_runs(index: int, tmp_path: Path) -> None:
    """Shell blocks fenced ``sh`` run as written (``text`` blocks are illustrations),
    with ``ledger`` on the PATH as ``make install`` puts it; a block about the demo's
    ledger runs after the demo, as the README says."""
    import os
    import subprocess
    import sys

    block = SHELL_BLOCKS[index]
    if "make " in block:
        pytest.skip("the set-up commands are exercised by CI itself")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("LEDGER_DB", None)
    if "demo-out" in block:
        subprocess.run(
            [sys.executable, "-m", "ledger.cli.demo"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=True,
            timeout=300,
        )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr
