"""Output files that cannot hurt (:mod:`ledger.outputs._files`): a regular file is
replaced only once complete (fsynced, then the directory), anything else is written
through and never replaced, a symlink's target is written, ``-o -`` is stdout."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from ledger.outputs import _files
from ledger.outputs._files import OutputFileError, atomic_output


def test_a_new_file_appears_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_output(out) as stream:
        stream.write(b"half")
        raise RuntimeError("stop")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with atomic_output(out) as stream:
        stream.write(b"whole")
    assert out.read_bytes() == b"whole"


def test_an_existing_file_keeps_its_mode_and_is_left_as_it_was_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(b"before")
    out.chmod(0o640)
    with pytest.raises(RuntimeError), atomic_output(out) as stream:
        stream.write(b"after")
        raise RuntimeError("stop")
    assert out.read_bytes() == b"before"
    with atomic_output(out) as stream:
        stream.write(b"after")
    assert out.read_bytes() == b"after"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_the_file_and_its_directory_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append("dir" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "file")
        real(descriptor)

    monkeypatch.setattr(_files.os, "fsync", fsync)
    with atomic_output(tmp_path / "out.bin") as stream:
        stream.write(b"x")
    assert synced == ["file", "dir"]  # the data before the rename, the rename after


def test_dev_null_stays_a_character_device() -> None:
    before = os.stat("/dev/null")
    with atomic_output("/dev/null") as stream:
        stream.write(b"nothing to see")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not any(p.name.startswith(".null.") for p in Path("/dev").iterdir())


def test_a_fifo_is_written_through_to_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    with atomic_output(fifo) as stream:
        stream.write(b"through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with atomic_output(link) as stream:
        stream.write(b"new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "target.csv")
    with atomic_output(dangling) as stream:
        stream.write(b"made")
    assert dangling.is_symlink() and (tmp_path / "target.csv").read_bytes() == b"made"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputFileError, match="is a directory"), atomic_output(tmp_path):
        pass


def test_a_stream_is_written_as_it_is(tmp_path: Path) -> None:
    with (tmp_path / "f").open("wb") as handle:
        with atomic_output(handle) as stream:
            assert stream is handle
            stream.write(b"x")
        assert not handle.closed
    assert (tmp_path / "f").read_bytes() == b"x"
