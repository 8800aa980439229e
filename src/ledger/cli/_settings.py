"""``ledger settings``, and the settings ``ledger init`` records.

The settings (the decay model, the time zone, the owner) are facts in the ledger's log,
chained and audited like every other: each change says what changed, when and by whom
(the operating-system user who ran the command).
"""

from __future__ import annotations

from typing import Any

import click

from ledger import Ledger, SettingsChange
from ledger.cli._common import db_option, limit_option, open_book
from ledger.cli._output import Report, emit, format_option

__all__ = ["record_settings", "settings"]

_COLUMNS = ("version", "recorded_at", "actor", "setting", "change")


def record_settings(
    book: Ledger, half_life_days: float | None, weights: dict[str, float], timezone: str | None
) -> list[str]:
    """Record the settings given that differ from those in force; what was recorded."""
    model = book.decay_model
    half_life = None if half_life_days in (None, model.half_life_days) else half_life_days
    changed = {kind: w for kind, w in weights.items() if model.weights[kind] != w}
    recorded = []
    if half_life is not None or changed:
        book.set_decay(half_life, changed or None)
        if half_life is not None:
            recorded.append(f"half-life {half_life:g} days")
        recorded.extend(f"weight {kind}={w:g}" for kind, w in changed.items())
    if timezone is not None and timezone.strip() != book.timezone:
        recorded.append(f"time zone {book.set_timezone(timezone.strip())}")
    return recorded


@click.command()
@limit_option(None)
@format_option
@db_option
@click.pass_context
def settings(ctx: click.Context, /, limit: int | None, fmt: str) -> None:
    """The settings in force (decay half-life and weights, time zone, owner) and every
    change of them: who changed what, and when.

    Change them with 'ledger init --half-life D --weight KIND=W --timezone ZONE' and
    'ledger owner KEY'; 'ledger pair' and 'ledger export' also take --half-life and
    --weight for one question, changing nothing.
    """
    book = open_book(ctx)
    model = book.decay_model
    facts: dict[str, Any] = {
        "half_life_days": model.half_life_days,
        "timezone": book.timezone,
        "owner": book.owner or ("(not set: 'ledger owner KEY')" if fmt == "table" else None),
        "weights": dict(model.weights),
    }
    rows = [row for change in book.settings_history() for row in _rows(change)]
    report = Report(
        f"Settings of {book.url}",
        facts,
        rows[-limit:] if limit else rows,
        _COLUMNS,
        rows_name="history",
        empty="(never changed: the defaults)",
        names=("actor",),
        total=len(rows),
        which="latest",
    )
    emit(report, fmt)


def _rows(change: SettingsChange) -> list[dict[str, Any]]:
    return [
        {
            "version": change.version,
            "recorded_at": change.recorded_at,
            "actor": change.actor,
            "setting": name,
            "change": _text(value),
            "value": value,
        }
        for name, value in change.changes.items()
    ]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return "(none)" if value is None else str(value)
