"""PostgreSQL grants kept across a table dropped and made anew.

The views are derived: a rebuild (``ledger replay``, ``ledger forget``, a new time zone)
and a new version's schema drop their tables and create them again. A dropped table
takes its grants with it, so a read-only role given SELECT on the views by
``scripts/postgres-roles.sql`` would lose it at the owner's next rebuild. Around every
such drop the storage reads what was granted on the schema's tables to roles other than
their owner and grants it again on the tables that exist afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

__all__ = ["Grant", "grant_again", "table_grants"]

_PRIVILEGES = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}
)
_GRANTS = (
    "SELECT c.relname AS name, a.privilege_type AS privilege, a.is_grantable AS grantable, "
    "CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "CROSS JOIN LATERAL aclexplode(c.relacl) a "
    "WHERE n.nspname = %s AND c.relkind = 'r' AND a.grantee <> c.relowner"
)


@attrs.frozen
class Grant:
    """One privilege on one table to one role (``grantee`` None: PUBLIC)."""

    table: str
    privilege: str
    grantee: str | None
    grantable: bool


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def table_grants(c: Any, schema: str) -> list[Grant]:
    """What is granted on the tables of ``schema`` to roles other than their owner."""
    c.execute(_GRANTS, (schema,))
    return [
        Grant(str(row["name"]), str(row["privilege"]), row["grantee"], bool(row["grantable"]))
        for row in c.fetchall()
        if str(row["privilege"]) in _PRIVILEGES  # from the catalogue; spelled into SQL
    ]


def grant_again(c: Any, schema: str, grants: Sequence[Grant]) -> None:
    """Grant ``grants`` again on those of their tables that exist now."""
    for grant in grants:
        table = f"{_quote(schema)}.{_quote(grant.table)}"
        c.execute("SELECT to_regclass(%s) IS NOT NULL AS there", (table,))
        if not c.fetchone()["there"]:
            continue
        role = "PUBLIC" if grant.grantee is None else _quote(grant.grantee)
        option = " WITH GRANT OPTION" if grant.grantable else ""
        c.execute(f"GRANT {grant.privilege} ON {table} TO {role}{option}")
