"""``ledger audit``: check the stored log and its hash chain; exit 1 on any problem."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import orjson

from ledger import AuditReport
from ledger.cli._common import DomainError, OneLineUsageError, db_option, open_book
from ledger.cli._output import Report, emit, format_option
from ledger.cli._progress import progress

__all__ = ["audit_command"]

_HASH = re.compile(r"[0-9a-fA-F]{64}")


def _head(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _HASH.fullmatch(value.strip()):
        raise click.BadParameter("a head is 64 hex digits, as printed by 'ledger audit'")
    return None if value is None else value.strip().lower()


@click.command("audit")
@click.option(
    "--expect-head",
    metavar="HASH",
    callback=_head,
    help="A head hash printed by an earlier audit and kept elsewhere: it must still be "
    "in the chain (this catches a log rewritten together with its chain).",
)
@click.option(
    "--checkpoint",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint from 'ledger checkpoint': every event changed, removed or "
    "inserted before it is named. Needs --public-key.",
)
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The public key (PEM, the .pub of 'ledger checkpoint --new-key') the "
    "checkpoint was signed for.",
)
@format_option
@db_option
@click.pass_context
def audit_command(
    ctx: click.Context,
    expect_head: str | None,
    checkpoint: Path | None,
    public_key: Path | None,
    fmt: str,
) -> None:
    """Check the stored log: every event decodes, versions are contiguous, the hash
    chain matches every event (rows edited, deleted or inserted behind the ledger's back
    are named by position), and the views agree with a replay.

    Prints the counts per event type and class version, the problems, and the chain's
    head hash: note the head somewhere else to check against later with --expect-head.
    Exit status 1 when there is any problem.
    """
    if (checkpoint is None) != (public_key is None):
        raise OneLineUsageError("--checkpoint and --public-key go together", ctx)
    signed = {}
    if checkpoint is not None and public_key is not None:
        signed = {"checkpoint": checkpoint.read_bytes(), "public_key": public_key.read_bytes()}
    # Not caught up first: damaged views are one of its findings, not a reason to stop.
    book = open_book(ctx, catch_up=False)
    with progress("auditing", book.log_position, "events") as update:
        report = book.audit(expect_head, update, **signed)
    if fmt.lower() == "json":
        document = {"ledger": book.url, **report.as_dict()}
        click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    else:
        emit(_report(book.url, report), fmt)
    if not report.ok:
        first = report.problems[0]
        where = "" if first.position is None else f" at notification {first.position}"
        raise DomainError(
            f"audit found {_count(report)}; the first{where}: {first.kind}: {first.message}"
        )


def _report(url: str, report: AuditReport) -> Report:
    rows: list[dict[str, Any]] = []
    for key, count in report.counts.items():
        topic, _, version = key.rpartition(" v")
        rows.append({"event": topic, "class_version": int(version), "count": count})
    notes = [
        f"{'-' if p.position is None else p.position}: {p.kind}: {p.message}"
        for p in report.problems
    ]
    facts: dict[str, Any] = {"events": report.events, "head": report.head}
    if report.after_checkpoint is not None:
        facts["events_after_the_checkpoint"] = report.after_checkpoint
    for number, what in enumerate(report.not_checked):
        facts["not_checked" if number == 0 else f"not_checked_{number + 1}"] = what
    return Report(
        title=f"audit of {url}: {'ok' if report.ok else _count(report)}",
        facts=facts,
        rows=rows,
        columns=("event", "class_version", "count"),
        rows_name="counts",
        notes=notes,
        notes_name="problems",
        empty="(no events)",
    )


def _count(report: AuditReport) -> str:
    n = len(report.problems)
    return f"{n} problem{'s' if n != 1 else ''}"
