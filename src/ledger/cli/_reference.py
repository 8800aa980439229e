"""The command reference of ``docs/cli.md``, made from the commands themselves.

``python -m ledger.cli._reference`` prints it; ``--write docs/cli.md`` replaces the
part of the file between :data:`BEGIN` and :data:`END` (the way sqlite-utils keeps its
docs with cog), and ``tests/test_cli_docs.py`` fails when the file is out of date or a
command or option is missing from it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

__all__ = ["BEGIN", "END", "commands", "reference", "section", "updated"]

BEGIN = "<!-- reference: begin (python -m ledger.cli._reference --write docs/cli.md) -->"
END = "<!-- reference: end -->"


def commands(group: click.Group, path: str = "ledger") -> Iterator[tuple[str, click.Command]]:
    """Every command under ``group`` (``path`` names it), groups included, in order."""
    yield path, group
    ctx = click.Context(group, info_name=path.rsplit(" ", 1)[-1])
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} {name}")
        else:
            yield f"{path} {name}", command


def _usage(path: str, command: click.Command) -> str:
    ctx = click.Context(command, info_name=path)
    pieces = command.collect_usage_pieces(ctx)
    return " ".join([path, *pieces])


def _first_paragraph(command: click.Command) -> str:
    text = str(command.help or "").split("\b")[0]
    return " ".join(text.split("\n\n")[0].split())


def _option_row(param: click.Parameter, ctx: click.Context) -> str | None:
    record = param.get_help_record(ctx)
    if record is None:
        return None
    names, help_text = record
    cleaned = " ".join(help_text.split()).replace("|", "\\|")
    return f"| `{names.replace('|', chr(92) + '|')}` | {cleaned} |"


SHARED = ("--format", "--csv-raw", "--db", "--tz")
"""Options many commands share, documented once (the "Shared options" section)."""


def _shared_rows(group: click.Group) -> dict[str, str]:
    """The shared options as the commands spell them (taken from ``ledger show``)."""
    command = group.get_command(click.Context(group), "show")
    assert command is not None
    ctx = click.Context(command, info_name="show")
    found = {}
    for param in command.get_params(ctx):
        row = _option_row(param, ctx)
        name = _long_name(param)
        if row and name in SHARED:
            found[name] = row
    return found


def _long_name(param: click.Parameter) -> str:
    names: list[str] = list(getattr(param, "opts", [""]))
    return max(names, key=len)


def section(path: str, command: click.Command, shared: dict[str, str]) -> str:
    """One command's part of the reference: usage, what it does, its options (the shared
    ones named on one line)."""
    ctx = click.Context(command, info_name=path)
    lines = [f"### `{path}`", "", f"`{_usage(path, command)}`", "", _first_paragraph(command), ""]
    rows, also = [], []
    for param in command.get_params(ctx):
        row = _option_row(param, ctx)
        name = _long_name(param)
        if row is None or name == "--help":
            continue
        if shared.get(name) == row:
            also.append(f"`{name}`")
        else:
            rows.append(row)
    if rows:
        lines += ["| option | |", "|---|---|", *rows, ""]
    if also:
        lines += [f"Also: {', '.join(also)} (see [Shared options](#shared-options)).", ""]
    return "\n".join(lines)


def reference(group: click.Group) -> str:
    """The whole reference: the shared options, then one section per command."""
    shared = _shared_rows(group)
    head = [
        "### Shared options",
        "",
        "| option | |",
        "|---|---|",
        *(shared[name] for name in SHARED),
        "",
    ]
    body = [section(path, command, shared) for path, command in commands(group)]
    return "\n".join(["\n".join(head), *body])


def updated(text: str, group: click.Group) -> str:
    """``text`` with the part between the markers replaced by :func:`reference`."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"no {BEGIN!r} ... {END!r} in the file")
    return f"{head}{BEGIN}\n\n{reference(group)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    from ledger.cli.main import main as ledger_main  # noqa: PLC0415 - the whole CLI

    if argv[:1] == ["--write"] and len(argv) == 2:
        path = Path(argv[1])
        path.write_text(updated(path.read_text(encoding="utf-8"), ledger_main), encoding="utf-8")
        return 0
    print(reference(ledger_main))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
