"""``-o`` on the command line: /dev/null stays a device, ``-o -`` is standard output."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import ledger
from ledger.cli.main import main


@pytest.fixture
def book_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url) as book:
        book.add_person("ada")
        book.add_person("bob")
        book.record("meeting", "ada", "bob", "2024-01-01T10:00:00Z")
    return url


def test_export_and_plot_to_dev_null_and_to_stdout(book_url: str) -> None:
    for args in (
        ["export", "decay", "-o", "/dev/null"],
        ["export", "decay", "--format", "parquet", "-o", "/dev/null"],
        ["plot", "pair", "ada", "bob", "-o", "/dev/null"],
        ["plot", "network", "-o", "/dev/null"],
    ):
        result = CliRunner().invoke(main, ["--db", book_url, *args])
        assert result.exit_code == 0, (args, result.stderr)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    out = CliRunner().invoke(main, ["--db", book_url, "export", "decay", "-o", "-"])
    assert out.exit_code == 0 and out.stdout.startswith("a,b,strength")
    png = CliRunner().invoke(main, ["--db", book_url, "plot", "network", "-o", "-"])
    assert png.exit_code == 0 and png.stdout_bytes.startswith(b"\x89PNG")
    assert "wrote" in png.stderr
