"""``ledger person add|update|list`` and ``ledger show``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from ledger import PairView
from ledger.cli._common import (
    DAY_START,
    DomainError,
    LedgerGroup,
    as_of_option,
    db_option,
    limit_option,
    open_book,
)
from ledger.cli._output import Report, emit, format_option, printable
from ledger.errors import quote

__all__ = ["person", "show"]

F = TypeVar("F", bound=Callable[..., Any])

_CLEARABLE = ("org", "title", "location", "tags")


def _attribute_options(function: F) -> F:
    for option in reversed(
        (
            click.option("--name", help="Full name (default: the key)."),
            click.option("--org", help="Organisation."),
            click.option("--title", help="Job title."),
            click.option("--location", help="Where they are."),
            click.option("--tag", "tags", multiple=True, help="A tag; repeat for several."),
        )
    ):
        function = option(function)
    return function


def _changes(**given: Any) -> dict[str, Any]:
    """The attributes given on the command line (tags only when some --tag was)."""
    changes = {k: v for k, v in given.items() if v is not None and k != "tags"}
    if given.get("tags"):
        changes["tags"] = list(given["tags"])
    return changes


@click.group(cls=LedgerGroup)
def person() -> None:
    """Add people, change their attributes, list them."""


@person.command("add")
@click.argument("key")
@_attribute_options
@db_option
@click.pass_context
def person_add(ctx: click.Context, /, key: str, name: str | None, **attributes: Any) -> None:
    """Register the person KEY; attributes given here hold for all time.

    KEY is how every other command names the person (e.g. an e-mail address or a
    handle). Change attributes later, from a date on, with 'ledger person update'.
    """
    book = open_book(ctx, catch_up=False)  # only writes
    if not book.add_person(key, name, **_changes(**attributes)):
        raise DomainError(
            f"key: person {quote(key.strip())} already exists "
            "(change them with 'ledger person update')"
        )
    click.echo(f"added {printable(key.strip())}")


@person.command("update")
@click.argument("key")
@_attribute_options
@click.option(
    "--since",
    type=DAY_START,
    help="From when the new values hold (default: now; a day: its start; the times "
    "--since takes elsewhere).",
)
@click.option(
    "--clear",
    "cleared",
    multiple=True,
    type=click.Choice(_CLEARABLE),
    help="Remove an attribute from --since on; repeat for several.",
)
@db_option
@click.pass_context
def person_update(
    ctx: click.Context,
    /,
    key: str,
    since: datetime | None,
    cleared: tuple[str, ...],
    **attributes: Any,
) -> None:
    """Give the person KEY new attribute values from --since on.

    The earlier values stay in the ledger: 'ledger show KEY --as-of T' shows the
    values in force at T.
    """
    changes: dict[str, Any] = {field: None for field in cleared}
    changes.update(_changes(**attributes))
    book = open_book(ctx, catch_up=False)  # only writes
    book.update_person(key, since, **changes)
    click.echo(f"updated {printable(key.strip())}: {', '.join(sorted(changes))}")


@person.command("list")
@as_of_option
@limit_option(None)
@format_option
@db_option
@click.pass_context
def person_list(ctx: click.Context, /, as_of: datetime | None, limit: int | None, fmt: str) -> None:
    """List everyone in the ledger with their attributes (as of --as-of), by key."""
    book = open_book(ctx)
    attributes = book.attributes_at(as_of)
    keys = book.people()
    rows = []
    for key in keys[:limit]:
        values = dict(attributes.get(key, {}))
        rows.append({"key": key, "name": values.pop("name", key), **values})
    columns = ("key", "name", "org", "title", "location", "tags")
    report = Report(
        "People",
        {"total": len(keys)},
        rows,
        columns,
        rows_name="people",
        names=("key", "name", "org", "title", "location"),
        drop=("tags", "title", "location"),
        total=len(keys),
    )
    emit(report, fmt)


@click.command()
@click.argument("person_key", metavar="PERSON")
@as_of_option
@limit_option(None)
@format_option
@db_option
@click.pass_context
def show(
    ctx: click.Context, /, person_key: str, as_of: datetime | None, limit: int | None, fmt: str
) -> None:
    """A person's attributes and relationships, strongest first.

    Each relationship shows its strength (decayed), depth level, conversations,
    calls and help opened each way ('out': by PERSON, 'in': by the other) and balance
    (+1: only PERSON reaches out, -1: only the other does).
    """
    book = open_book(ctx)
    found = book.person(person_key, as_of)
    relationships = book.relationships(found.key, found.as_of)
    facts = {"key": found.key, "name": found.name, "as_of": found.as_of, **found.attributes}
    facts["in_touch_with"] = len(relationships)
    rows = [_relationship(found.key, view) for view in relationships[:limit]]
    columns = ("with", "strength", "depth", "out", "in", "balance", "touches", "last_touch_at")
    title = f"{found.name} ({found.key})"
    report = Report(
        title,
        facts,
        rows,
        columns,
        rows_name="relationships",
        names=("with",),
        drop=("touches", "balance"),
        total=len(relationships),
    )
    emit(report, fmt)


def _relationship(key: str, view: PairView) -> dict[str, Any]:
    """One relationship seen from ``key``'s side (the API orders pairs a < b)."""
    mine = key == view.a
    value = view.reciprocity
    return {
        "with": view.other(key),
        "strength": view.strength,
        "depth": view.depth.level_name,
        "level": int(view.depth.level),
        "out": value.a_to_b if mine else value.b_to_a,
        "in": value.b_to_a if mine else value.a_to_b,
        "balance": value.balance if mine else -value.balance,
        "touches": view.decay.touches,
        "last_touch_at": view.decay.last_touch_at,
    }
