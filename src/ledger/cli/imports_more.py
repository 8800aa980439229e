"""``ledger import mail|whatsapp|telegram|contacts``: the sources people own.

Added to the ``import`` group of :mod:`ledger.cli.imports` (``main`` imports this
module); the same guarantees and options as the other importers.
"""

from __future__ import annotations

from pathlib import Path

import click

from ledger.cli.imports import _FILE, _common, _run, import_group

__all__ = ["contacts", "mail", "telegram", "whatsapp"]


@import_group.command("mail")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--me",
    multiple=True,
    metavar="EMAIL",
    help="Your address; repeat for each (default: the most frequent sender, reported).",
)
@click.option(
    "--max-recipients",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="More recipients than this: a mass mailing, skipped and counted.",
)
@click.option("--timezone", help="Zone of Dates written without one (pipermail archives).")
@click.option("--source", help="Source name for idempotency (default: mail).")
@_common
@click.pass_context
def mail(
    ctx: click.Context,
    path: Path,
    me: tuple[str, ...],
    max_recipients: int,
    timezone: str | None,
    source: str | None,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """A mailbox: an mbox file (Gmail Takeout's too), a Maildir, a folder of .eml files,
    or one .eml. One e-mail per message, sender to To and Cc; bulk mail skipped."""
    from ledger.sources.mail import import_mail  # noqa: PLC0415

    _run(
        ctx,
        path,
        fmt,
        import_mail,
        me=me,
        max_recipients=max_recipients,
        timezone=timezone,
        source=source,
        skip_invalid=skip_invalid,
        allow_forgotten=allow_forgotten,
    )


@import_group.command("whatsapp")
@click.argument("file", type=_FILE)
@click.option("--me", help="Your name (or number) as the export shows it.")
@click.option("--timezone", default="UTC", show_default=True, help="Your phone's zone.")
@click.option("--region", help="Region of phone numbers without +country (GB, IN ...).")
@_common
@click.pass_context
def whatsapp(
    ctx: click.Context,
    file: Path,
    me: str | None,
    timezone: str,
    region: str | None,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """A WhatsApp "Export chat" text file (iOS or Android, any language)."""
    from ledger.sources.whatsapp import import_whatsapp  # noqa: PLC0415

    _run(
        ctx,
        file,
        fmt,
        import_whatsapp,
        me=me,
        timezone=timezone,
        region=region,
        skip_invalid=skip_invalid,
        allow_forgotten=allow_forgotten,
    )


@import_group.command("telegram")
@click.argument("file", type=_FILE)
@click.option("--me", help="Your Telegram key (telegram:user123) or name, if not in it.")
@click.option("--timezone", default="UTC", show_default=True, help="Zone of times without one.")
@_common
@click.pass_context
def telegram(
    ctx: click.Context,
    file: Path,
    me: str | None,
    timezone: str,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """A Telegram Desktop export (result.json): one chat or the whole account."""
    from ledger.sources.telegram import import_telegram  # noqa: PLC0415

    _run(
        ctx,
        file,
        fmt,
        import_telegram,
        me=me,
        timezone=timezone,
        skip_invalid=skip_invalid,
        allow_forgotten=allow_forgotten,
    )


@import_group.command("contacts")
@click.argument("file", type=_FILE)
@click.option("--as-of", help="The export's date (default: the cards' REV, else the file's).")
@click.option("--region", help="Region of phone numbers without +country (GB, US ...).")
@_common
@click.pass_context
def contacts(
    ctx: click.Context,
    file: Path,
    as_of: str | None,
    region: str | None,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """An address book: vCard (.vcf 2.1/3.0/4.0) or Google/Outlook/Thunderbird CSV.
    Each card is one person with all their addresses, phones and URLs."""
    from ledger.sources.contacts import import_contacts  # noqa: PLC0415

    _run(
        ctx,
        file,
        fmt,
        import_contacts,
        as_of=as_of,
        region=region,
        skip_invalid=skip_invalid,
        allow_forgotten=allow_forgotten,
    )
