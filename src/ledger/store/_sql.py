"""The few things SQLite and PostgreSQL spell differently, for every table the ledger
keeps beside eventsourcing's own."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

__all__ = ["Dialect"]


@attrs.frozen
class Dialect:
    """Placeholders, types and qualified names of one database."""

    placeholder: str
    int_type: str
    blob_type: str
    table_options: str
    """Appended to tables with a composite primary key (SQLite: ``WITHOUT ROWID``)."""
    qualify: Callable[[str], str]
    write_setup: tuple[str, ...] = ()
    """Run at the start of each write transaction of the views (SQLite's page cache)."""
    postgres: bool = False

    def sql(self, template: str, tables: Sequence[str]) -> str:
        """``template`` with ``{name}`` replaced by the qualified ``ledger_name`` of each
        of ``tables`` and ``?`` by this database's placeholder."""
        names = {name: self.qualify(f"ledger_{name}") for name in tables}
        return template.format(**names).replace("?", self.placeholder)

    def ddl(self, statement: str, tables: Sequence[str]) -> str:
        """A ``CREATE`` statement written with ``INT`` and ``BLOB``, in this dialect."""
        text = statement.replace(" INT ", f" {self.int_type} ").replace(
            " INT,", f" {self.int_type},"
        )
        text = text.replace(" INT)", f" {self.int_type})")
        text = text.replace(" BLOB ", f" {self.blob_type} ").replace(
            " BLOB,", f" {self.blob_type},"
        )
        text = text.replace(" BLOB)", f" {self.blob_type})")
        if self.postgres:  # PostgreSQL's REAL is 4 bytes: the views need doubles
            text = text.replace(" REAL ", " DOUBLE PRECISION ")
        if text.startswith("CREATE TABLE") and "PRIMARY KEY (" in text:
            text += self.table_options
        return self.sql(text, tables)
