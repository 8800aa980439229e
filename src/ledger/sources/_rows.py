"""Reading real-world files robustly: gzip, BOM, CRLF, cp1252 re-saves, line numbers.

Every problem a file can have becomes an :class:`ImportFileError` whose message starts
with ``path:line: ``, so a user can open the file at the right place; nothing here
lets a traceback through for a damaged file.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import attrs

from ledger.errors import InvalidInputError

__all__ = [
    "CsvTable",
    "ImportFileError",
    "Progress",
    "find_column",
    "iter_lines",
    "occurrence_refs",
    "read_csv",
    "read_text",
    "text_lines",
]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage is ``"read"`` (rows) or ``"write"``."""

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = "\ufeff"
_CHUNK = 1 << 20


class ImportFileError(InvalidInputError):
    """A file cannot be imported as it is; the message starts with ``path:line: ``."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = "file"
        self.value = f"{path}:{line}"
        self.reason = reason
        Exception.__init__(self, f"{path}:{line}: {reason}")


def read_text(path: str | Path) -> str:
    """The whole file as text: gunzipped if compressed, UTF-8 (BOM dropped) or cp1252.

    Spreadsheets re-save exports as cp1252; UTF-8 is tried first because a cp1252
    reading of UTF-8 never fails but garbles every non-ASCII name.
    """
    data = _read_bytes(Path(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise ImportFileError(path, line, "unreadable text: neither UTF-8 nor cp1252") from None
    return text.removeprefix(_BOM)


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            if not compressed:
                return raw.read()
            return _gunzip(path, raw)
    except FileNotFoundError:
        raise ImportFileError(path, 0, "no such file") from None
    except IsADirectoryError:
        raise ImportFileError(path, 0, "is a directory, not a file") from None
    except OSError as error:
        raise ImportFileError(path, 0, f"cannot read: {error.strerror or error}") from None


def _gunzip(path: Path, raw: io.BufferedReader) -> bytes:
    # Read in chunks so that a truncated or corrupt archive is reported at the line
    # where the readable part ends, not as a bare EOFError.
    chunks: list[bytes] = []
    with gzip.GzipFile(fileobj=raw) as unzipped:
        while True:
            try:
                chunk = unzipped.read(_CHUNK)
            except (EOFError, gzip.BadGzipFile, zlib.error) as error:
                line = sum(c.count(b"\n") for c in chunks) + 1
                reason = "truncated gzip file" if isinstance(error, EOFError) else "corrupt gzip"
                raise ImportFileError(path, line, f"{reason}: {error}") from None
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def text_lines(text: str) -> list[str]:
    """Physical lines without their LF or CRLF (``str.splitlines`` also splits on
    form feeds and other rare separators, which would shift line numbers)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" in text:
        lines = [line.removesuffix("\r") for line in lines]
    return lines


def iter_lines(text: str) -> Iterator[str]:
    """:func:`text_lines`, one at a time: a large log is never held twice."""
    start, end = 0, text.find("\n")
    while end >= 0:
        yield text[start:end].removesuffix("\r")
        start, end = end + 1, text.find("\n", end + 1)
    if start < len(text):
        yield text[start:].removesuffix("\r")


@attrs.frozen
class CsvTable:
    """A CSV file's header and its data rows, each with its physical line number."""

    path: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def read_csv(
    path: str | Path,
    *,
    delimiter: str = ",",
    has_header: bool = True,
    is_header: Callable[[Sequence[str]], bool] | None = None,
) -> CsvTable:
    """Parse a CSV file; blank rows are dropped, quoted commas and newlines kept.

    ``is_header`` finds the header below a preamble (LinkedIn's ``Notes:``): rows
    before the first row it accepts are skipped.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] = ()
    header_line = 0
    rows: list[tuple[int, tuple[str, ...]]] = []
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue
            if has_header and not header_line:
                if is_header is None or is_header(fields):
                    header, header_line = tuple(f.strip() for f in fields), line
                continue
            rows.append((line, tuple(fields)))
    except csv.Error as error:
        raise ImportFileError(path, start, f"unreadable CSV: {error}") from None
    if has_header and not header_line:
        raise ImportFileError(path, 1, "no header row found")
    return CsvTable(str(path), header, header_line, tuple(rows))


def find_column(header: Sequence[str], *names: str) -> int | None:
    """Index of the first of ``names`` in ``header``, ignoring case, spaces and the
    ``.1`` suffix pandas adds to a renamed duplicate column."""
    normalized = [_normal(name) for name in header]
    for name in names:
        wanted = _normal(name)
        if wanted in normalized:
            return normalized.index(wanted)
    return None


def _normal(name: str) -> str:
    name = name.strip().lower()
    base, dot, suffix = name.rpartition(".")
    if dot and suffix.isdigit():
        name = base
    return "".join(name.split())


def occurrence_refs(contents: Iterator[str] | Sequence[str]) -> Iterator[str]:
    """``content#n``: the n-th record with this content in the file.

    Two identical records stay two facts, the same file re-imported yields the same
    refs, and a longer (newer) export yields the old refs plus new ones.
    """
    seen: dict[str, int] = {}
    for content in contents:
        count = seen.get(content, 0) + 1
        seen[content] = count
        yield f"{content}#{count}"
