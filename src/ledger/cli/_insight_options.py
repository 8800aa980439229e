"""What the insight commands share: ``--me``, ``--as-of``, and rows from attrs results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import attrs
import click

from ledger.cli._common import as_of_option
from ledger.projections.depth import DepthLevel

__all__ = ["DEPTHS", "as_of_option", "depth_option", "me_option", "rows_of"]

F = TypeVar("F", bound=Callable[..., Any])
DEPTHS = tuple(level.label for level in DepthLevel)


def me_option(function: F) -> F:
    return click.option(
        "--me",
        metavar="KEY",
        help="Whose point of view (default: the ledger's owner, see 'ledger owner').",
    )(function)


def depth_option(default: str) -> Callable[[F], F]:
    return click.option(
        "--min-depth",
        type=click.Choice(DEPTHS),
        default=default,
        show_default=True,
        help="Only relationships at least this deep.",
    )


def rows_of(items: Iterable[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows for a report: each attrs result's fields named in ``columns``."""
    rows = []
    for item in items:
        values = attrs.asdict(item, recurse=False)
        rows.append({name: values.get(name) for name in columns})
    return rows
