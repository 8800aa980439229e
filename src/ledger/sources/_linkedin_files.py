"""Finding the files of a LinkedIn export and their columns, whatever the export year.

The export is read as LinkedIn delivers it, the ``.zip`` file itself (members found by
name in any folder of it), or the folder it unzips to. File names are matched ignoring
case (``Messages.csv`` of 2018). Column names are matched ignoring case and spaces
(``FROM`` = ``From``) and a pandas ``.1`` suffix (``Creation Date.1``); the header is
found below any ``Notes:`` preamble as the first row that names the file's key column.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import attrs

from ledger.errors import quote
from ledger.sources._rows import CsvTable, ImportFileError, decode, find_column, parse_csv
from ledger.sources._summary import Tally

__all__ = ["ExportFiles", "Sheet", "find_export"]

# file name (lower case) -> (the column that marks the header, columns of which one must exist)
_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "connections.csv": ("Connected On", ("First Name", "Last Name")),
    "messages.csv": ("Date", ("From", "To")),
    "invitations.csv": ("Sent At", ("From", "To")),
    "endorsement_received_info.csv": (
        "Endorsement Date",
        ("Endorser First Name", "Endorser Last Name"),
    ),
    "recommendations_received.csv": ("Creation Date", ("First Name", "Last Name")),
    "profile.csv": ("First Name", ("Last Name",)),
    "email addresses.csv": ("Email Address", ("Email Address",)),
}
_MAX_MEMBER = 1 << 30  # a LinkedIn export's largest file is a few MB; more is not one
# LinkedIn names its archive "Basic_LinkedInDataExport_12-16-2024.zip" (month-day-year)
_DATED = re.compile(r"LinkedInDataExport_(\d{2})-(\d{2})-(\d{4})", re.IGNORECASE | re.ASCII)


@attrs.define
class Sheet:
    """One CSV of the export, read; columns looked up by their canonical name."""

    table: CsvTable
    _columns: dict[str, int | None] = attrs.field(factory=dict)

    @property
    def path(self) -> str:
        return self.table.path

    def has(self, name: str) -> bool:
        return self.column(name) is not None

    def column(self, name: str) -> int | None:
        if name not in self._columns:
            self._columns[name] = find_column(self.table.header, name)
        return self._columns[name]

    def get(self, row: Sequence[str], name: str) -> str:
        """The cell of ``name`` in ``row``; empty when the column or cell is absent."""
        index = self.column(name)
        return row[index] if index is not None and index < len(row) else ""

    def rows(self, tally: Tally | None = None) -> Iterator[tuple[int, Sequence[str]]]:
        """Data rows with their line numbers; with a tally, each row is counted, and a
        row wider than the header (an unquoted comma shifts every cell) or the cut
        last row of a partial download is invalid."""
        width = len(self.table.header)
        last = self.table.rows[-1][0] if self.table.rows else 0
        for line, row in self.table.rows:
            if tally is None:
                yield line, row
                continue
            tally.rows_read += 1
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                tally.invalid(self.path, line, f"expected {width} fields, got {len(row)}")
                continue
            if self.table.cut_last and line == last:
                reason = f"the file ends in the middle of this line ({len(row)} of {width} fields)"
                tally.invalid(self.path, line, f"{reason}: cut short?")
                continue
            yield line, row


@attrs.frozen
class ExportFiles:
    """The export's files that this importer understands; absent ones are None."""

    folder: str
    named_date: date | None
    """The date in the export's name (``..._LinkedInDataExport_12-16-2024``), if any."""
    connections: Sheet | None
    messages: Sheet | None
    invitations: Sheet | None
    endorsements: Sheet | None
    recommendations: Sheet | None
    profile: Sheet | None
    emails: Sheet | None


def find_export(path: str | Path) -> ExportFiles:
    """Read every known file of the export (its folder or its .zip)."""
    root = Path(path)
    if root.is_dir():
        members = _folder_members(root)
    elif root.is_file():
        members = _zip_members(root)
    else:
        raise ImportFileError(path, 0, "no such file or folder (give the export's .zip or folder)")
    sheets = {name: _sheet(where, data, name) for name, (where, data) in members.items()}
    if not sheets:
        known = ", ".join(sorted(_FILES))
        raise ImportFileError(path, 0, f"no LinkedIn export files here (looked for {known})")
    return ExportFiles(str(root), _named_date(root.name), *(sheets.get(name) for name in _FILES))


def _folder_members(root: Path) -> dict[str, tuple[str, bytes]]:
    members: dict[str, tuple[str, bytes]] = {}
    for child in sorted(root.iterdir()):
        if child.name.lower() in _FILES and child.is_file():
            try:
                members[child.name.lower()] = (str(child), child.read_bytes())
            except OSError as error:
                raise ImportFileError(child, 0, f"cannot read: {error.strerror or error}") from None
    return members


def _zip_members(path: Path) -> dict[str, tuple[str, bytes]]:
    members: dict[str, tuple[str, bytes]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                base = info.filename.rsplit("/", 1)[-1]
                if info.is_dir() or base.lower() not in _FILES:
                    continue
                if base.lower() in members:
                    raise ImportFileError(path, 0, f"the zip holds two files named {base}")
                if info.file_size > _MAX_MEMBER:
                    raise ImportFileError(path, 0, f"{base} is {info.file_size:,} bytes")
                members[base.lower()] = (f"{path}/{info.filename}", archive.read(info))
    except zipfile.BadZipFile:
        raise ImportFileError(
            path, 0, "not a LinkedIn export: neither a zip nor a folder"
        ) from None
    except (OSError, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as error:
        raise ImportFileError(path, 0, f"cannot read the zip: {error}") from None
    return members


def _named_date(name: str) -> date | None:
    found = _DATED.search(name)
    if found is None:
        return None
    month, day, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _sheet(where: str, data: bytes, name: str) -> Sheet:
    marker, names = _FILES[name]
    table = parse_csv(
        decode(data, where), where, is_header=lambda row: find_column(row, marker) is not None
    )
    if not any(find_column(table.header, column) is not None for column in names):
        raise ImportFileError(
            where,
            table.header_line,
            f"no {' or '.join(names)} column in header: {quote(', '.join(table.header))}",
        )
    return Sheet(table)
