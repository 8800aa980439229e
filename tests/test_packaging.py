"""Installing is quiet: no deprecation warning from the build (``project.license`` is an
SPDX string), and ``make install`` puts ``ledger`` on the PATH."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_the_license_is_an_spdx_string_for_a_setuptools_that_reads_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert "setuptools>=77" in project["build-system"]["requires"]  # PEP 639 support


@pytest.mark.slow
def test_building_the_package_warns_of_nothing_deprecated(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0 and "setuptools" in output and "version" in output.lower():
        pytest.skip("no package index to fetch setuptools>=77 from")
    assert done.returncode == 0, output[-2000:]
    assert "Deprecat" not in output, [line for line in output.splitlines() if "eprecat" in line]
    # nor any other warning of the build (a package-data folder left out of `packages`)
    assert "Warning" not in output, [line for line in output.splitlines() if "Warning" in line]


def test_make_install_links_ledger_into_a_bin_on_the_path(tmp_path: Path) -> None:
    env = {**os.environ, "PREFIX": str(tmp_path)}
    done = subprocess.run(
        ["make", "-s", "install", f"PREFIX={tmp_path}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    link = tmp_path / "bin" / "ledger"
    assert link.is_symlink() and link.resolve() == (REPO / ".venv" / "bin" / "ledger").resolve()
    assert "is not on your PATH" in done.stdout and "source .venv/bin/activate" in done.stdout
    version = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("ledger, version")
