"""Finding the files of a LinkedIn export and their columns, whatever the export year.

Column names are matched ignoring case and spaces (``FROM`` = ``From``) and a pandas
``.1`` suffix (``Creation Date.1``); the header is found below any ``Notes:`` preamble
as the first row that names the file's key column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from ledger.sources._rows import CsvTable, ImportFileError, find_column, read_csv
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
}


@attrs.define
class Sheet:
    """One CSV of the export, read; columns looked up by their canonical name."""

    table: CsvTable
    _columns: dict[str, int | None] = attrs.field(factory=dict)

    @property
    def path(self) -> str:
        return self.table.path

    def column(self, name: str) -> int | None:
        if name not in self._columns:
            self._columns[name] = find_column(self.table.header, name)
        return self._columns[name]

    def get(self, row: Sequence[str], name: str) -> str:
        """The cell of ``name`` in ``row``; empty when the column or cell is absent."""
        index = self.column(name)
        return row[index] if index is not None and index < len(row) else ""

    def rows(self, tally: Tally | None = None) -> Iterator[tuple[int, Sequence[str]]]:
        """Data rows with their line numbers; with a tally, each row is counted and a
        row wider than the header (an unquoted comma shifts every cell) is invalid."""
        width = len(self.table.header)
        for line, row in self.table.rows:
            if tally is None:
                yield line, row
                continue
            tally.rows_read += 1
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                tally.invalid(self.path, line, f"expected {width} fields, got {len(row)}")
                continue
            yield line, row


@attrs.frozen
class ExportFiles:
    """The export's files that this importer understands; absent ones are None."""

    folder: str
    connections: Sheet | None
    messages: Sheet | None
    invitations: Sheet | None
    endorsements: Sheet | None
    recommendations: Sheet | None


def find_export(folder: str | Path) -> ExportFiles:
    """Read every known file of the export folder (file names matched ignoring case)."""
    root = Path(folder)
    if not root.is_dir():
        raise ImportFileError(folder, 0, "expected the unzipped LinkedIn export folder")
    present = {child.name.lower(): child for child in root.iterdir() if child.is_file()}
    sheets = {name: _sheet(present[name], *_FILES[name]) for name in _FILES if name in present}
    if not sheets:
        known = ", ".join(sorted(_FILES))
        raise ImportFileError(folder, 0, f"no LinkedIn export files here (looked for {known})")
    return ExportFiles(
        str(root),
        sheets.get("connections.csv"),
        sheets.get("messages.csv"),
        sheets.get("invitations.csv"),
        sheets.get("endorsement_received_info.csv"),
        sheets.get("recommendations_received.csv"),
    )


def _sheet(path: Path, marker: str, names: tuple[str, ...]) -> Sheet:
    table = read_csv(path, is_header=lambda row: find_column(row, marker) is not None)
    if not any(find_column(table.header, name) is not None for name in names):
        raise ImportFileError(
            path,
            table.header_line,
            f"no {' or '.join(names)} column in header: {', '.join(table.header)}",
        )
    return Sheet(table)
