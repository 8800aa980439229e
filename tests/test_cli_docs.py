"""Every command and option is documented in docs/cli.md, every ``--help`` works, and
no message or help text names a command or an option that does not exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ledger.cli import _reference
from ledger.cli.main import main

REPO = Path(__file__).resolve().parent.parent
DOCS = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
COMMANDS = list(_reference.commands(main))


def _section(path: str) -> str:
    heading = f"### `{path}`\n"
    assert heading in DOCS, f"docs/cli.md has no section for {path!r}"
    body = DOCS.split(heading, 1)[1]
    return body.split("\n### ", 1)[0]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_documented(path: str, command: click.Command) -> None:
    section = _section(path)
    ctx = click.Context(command, info_name=path)
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            name = max(param.opts, key=len)
            if name == "--help":  # on every command; the page says so once
                continue
            found = re.search(rf"`[^`]*(?<![\w-]){re.escape(name)}(?![\w-])", section)
            assert found, f"{path}: {name} is not documented in docs/cli.md"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_help_works(path: str, command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: {path}" in result.output


def test_the_reference_in_docs_is_up_to_date() -> None:
    assert _reference.updated(DOCS, main) == DOCS, (
        "docs/cli.md is out of date: run python -m ledger.cli._reference --write docs/cli.md"
    )


def test_every_command_has_a_first_line_and_the_readme_names_the_new_ones() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, command in COMMANDS:
        assert (command.help or "").strip(), path
    for name in ("forget", "dump", "load", "migrate", "checkpoint", "worker", "--read-only"):
        assert name in readme, name


# -- hints name only what exists --------------------------------------------------------
_HINT = re.compile(r"[`']ledger ((?:[a-z][a-z-]*|--?[a-z][a-z-]*)(?: [^`']*)?)[`']")


def _strings() -> list[tuple[str, str]]:
    found = []
    for file in sorted((REPO / "src" / "ledger").rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((f"{file.name}:{node.lineno}", node.value))
    return found


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    rest = list(words)
    while rest and isinstance(command, click.Group):
        sub = command.get_command(click.Context(command), rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
    return command, rest


def test_hints_name_only_commands_and_options_that_exist() -> None:
    checked = 0
    for where, text in _strings():
        for found in _HINT.findall(text):
            for hint in _alternatives(found):
                _check(where, hint)
                checked += 1
    assert checked > 10  # the pattern does find the hints


def _alternatives(hint: str) -> list[str]:
    """``person add|update KEY`` -> ``person add KEY``, ``person update KEY``."""
    words = hint.split()
    for i, word in enumerate(words):
        if "|" in word and not word.startswith("-"):
            return [" ".join([*words[:i], choice, *words[i + 1 :]]) for choice in word.split("|")]
    return [hint]


def _check(where: str, hint: str) -> None:
    """A hint's words name a command (lower-case words), then its options (``--x``);
    upper-case words and the rest are its arguments."""
    command, rest = _resolve(hint.split())
    if rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]):  # arguments are spelled KEY, ID
        pytest.fail(f"{where}: 'ledger {hint}' names no command ({rest[0]!r})")
    options = {o for p in command.get_params(click.Context(command)) for o in p.opts}
    options |= {o for p in main.get_params(click.Context(main)) for o in p.opts}
    for word in rest:
        if word.startswith("--"):
            name = word.split("=")[0].rstrip(".,;:)")
            assert name in options, f"{where}: 'ledger {hint}' has no option {name}"
