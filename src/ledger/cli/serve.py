"""``ledger serve``: the ledger named by ``--db`` as a local web page (``docs/web.md``).

The web modules (Starlette, Jinja2, uvicorn) are imported only when the command runs,
so that ``ledger --help`` stays fast.
"""

from __future__ import annotations

import getpass
import logging
import socket
import sys
from pathlib import Path
from typing import Any

import click

from ledger import KeyRequiredError, default_url
from ledger.cli._common import CliState, DomainError, db_option

__all__ = ["serve"]

DEFAULT_PORT = 8484
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="The port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but loopback is warned about.",
)
@click.option(
    "--read-only", is_flag=True, help="Show the ledger, record nothing (for showing someone else)."
)
@click.option("--passphrase-file", type=_FILE, help="An encrypted ledger's passphrase, in a file.")
@click.option("--key-file", type=_FILE, help="An encrypted ledger's 32-byte key, in a file.")
@db_option
@click.pass_context
def serve(
    ctx: click.Context,
    /,
    port: int,
    host: str,
    read_only: bool,
    passphrase_file: Path | None,
    key_file: Path | None,
) -> None:
    """Serve the ledger as a local web page: this week's reminders, a person, the
    network, intros, logging and importing, the audit.

    Prints the address to open: it carries a random token that every request needs
    (kept as a cookie after the first). An encrypted ledger's passphrase is read from
    --passphrase-file, $LEDGER_PASSPHRASE or asked on the terminal (a key: --key-file,
    $LEDGER_KEY); never from the address. Stop with Ctrl-C.
    """
    import uvicorn  # noqa: PLC0415 - only this command needs the web stack

    from ledger.web import create_app  # noqa: PLC0415

    url = ctx.ensure_object(CliState).url or default_url()
    shell = _open(url, read_only, passphrase_file, key_file)
    ctx.call_on_close(shell.close)
    listening = _listen(host, port)
    bound = listening.getsockname()[1]
    loopback = host in _LOOPBACK
    if not loopback:
        click.echo(
            f"warning: listening on {host}, not only this machine: anyone who can reach it "
            "and has the address below can read the ledger",
            err=True,
        )
    hosts = ("127.0.0.1", "localhost", "[::1]", "::1") if loopback else ("*",)
    app = create_app(shell, port=bound, hosts=hosts)
    shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
    shown = f"[{shown}]" if ":" in shown else shown
    mode = " (read-only)" if read_only else ""
    click.echo(f"Serving {shell.book.url}{mode}; open this address (Ctrl-C stops):")
    click.echo(f"  http://{shown}:{bound}/?token={shell.token}")
    _logging()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[listening])


def _open(url: str, read_only: bool, passphrase_file: Path | None, key_file: Path | None) -> Any:
    from ledger.web import open_shell  # noqa: PLC0415

    passphrase = _read(passphrase_file)
    key = _read(key_file)
    try:
        return open_shell(url, passphrase=passphrase, key=key, read_only=read_only)
    except KeyRequiredError:
        if not sys.stdin.isatty():
            raise DomainError(
                "the ledger is encrypted: give its passphrase ($LEDGER_PASSPHRASE, "
                "--passphrase-file) or its key ($LEDGER_KEY, --key-file)"
            ) from None
        asked = getpass.getpass(f"passphrase for {url.split('?', 1)[0]}: ")
        return open_shell(url, passphrase=asked, read_only=read_only)


def _read(path: Path | None) -> str | None:
    return None if path is None else path.read_text(encoding="utf-8").strip("\r\n")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise DomainError(f"--port: cannot listen on {host}:{port} ({error.strerror})") from None
    listening.listen(128)
    return listening


def _logging() -> None:
    """Crashes behind the generic error page are logged here, with their tracebacks."""
    logger = logging.getLogger("ledger.web")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
