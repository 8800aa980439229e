"""Reading real-world files robustly: gzip, BOM, CRLF, cp1252 re-saves, line numbers.

Every problem a file can have becomes an :class:`ImportFileError` whose message is one
line starting with ``path:line: ``, so a user can open the file at the right place;
nothing here lets a traceback through for a damaged file.

A file *cut mid-line* (a partial download) ends without a newline; its last line is
judged cut when it does not parse like the lines before it (each importer says how:
fewer fields, or a last field shorter than in every line before it).
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
    "decode",
    "ends_cut",
    "find_column",
    "iter_lines",
    "parse_csv",
    "read_bytes",
    "read_csv",
    "read_text",
    "shown_path",
    "text_lines",
]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage is ``"read"`` (rows) or ``"write"``."""

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = "\ufeff"
_CHUNK = 1 << 20


def shown_path(path: str | Path) -> str:
    """``path`` as a message shows it: control characters in a file name escaped, so
    that the message stays one line."""
    text = str(path)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


class ImportFileError(InvalidInputError):
    """A file cannot be imported as it is; the message is one line, ``path:line: why``."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = "file"
        self.value = f"{path}:{line}"
        self.reason = reason.replace("\r", "\\r").replace("\n", "\\n")
        Exception.__init__(self, f"{shown_path(path)}:{line}: {self.reason}")


def read_text(path: str | Path) -> str:
    """The whole file as text: gunzipped if compressed, UTF-8 (BOM dropped) or cp1252."""
    return decode(read_bytes(path), path)


def decode(data: bytes, path: str | Path) -> str:
    """``data`` as UTF-8 (BOM dropped) or, failing that, cp1252.

    Spreadsheets re-save exports as cp1252; UTF-8 is tried first because a cp1252
    reading of UTF-8 never fails but garbles every non-ASCII name.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise ImportFileError(path, line, "unreadable text: neither UTF-8 nor cp1252") from None
    return text.removeprefix(_BOM)


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, gunzipped when they start with gzip's magic number."""
    try:
        with Path(path).open("rb") as raw:
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


def _gunzip(path: str | Path, raw: io.BufferedReader) -> bytes:
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


def ends_cut(text: str) -> bool:
    """Whether the text ends without a newline: its last line may be cut short."""
    return bool(text) and not text.endswith(("\n", "\r"))


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
    """A CSV file's header and its data rows, each with its physical line number.

    ``cut_last``: the file ends without a newline and its last row has fewer fields
    than the header (or than the row before it): a file cut mid-line.
    """

    path: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    cut_last: bool = False


def read_csv(
    path: str | Path,
    *,
    delimiter: str = ",",
    has_header: bool = True,
    is_header: Callable[[Sequence[str]], bool] | None = None,
) -> CsvTable:
    """:func:`parse_csv` of the file at ``path``."""
    return parse_csv(
        read_text(path), path, delimiter=delimiter, has_header=has_header, is_header=is_header
    )


def parse_csv(
    text: str,
    path: str | Path,
    *,
    delimiter: str = ",",
    has_header: bool = True,
    is_header: Callable[[Sequence[str]], bool] | None = None,
) -> CsvTable:
    """Parse CSV text; blank rows are dropped, quoted commas and newlines kept.

    ``is_header`` finds the header below a preamble (LinkedIn's ``Notes:``): rows
    before the first row it accepts are skipped.
    """
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
    return CsvTable(str(path), header, header_line, tuple(rows), _cut(text, header, rows))


def _cut(text: str, header: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]]) -> bool:
    if not rows or not ends_cut(text):
        return False
    width = len(header) if header else len(rows[-2][1]) if len(rows) > 1 else 0
    return len(rows[-1][1]) < width


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
