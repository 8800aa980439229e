"""What the web tests share: a demo-like ledger with hostile values, a client that
holds the token, and a real server in a thread."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.testclient import TestClient

import ledger
from ledger.cli.demo import populate
from ledger.web import Shell, create_app, open_shell

AS_OF = "2024-12-31"
HOSTILE_NAME = "<script>alert('name')</script> & Co"
HOSTILE_NOTE = "\x1b[31mred\x1b[0m <img src=x onerror=alert(1)> \u202eevil\u202c"
PORT = 8484


def demo_ledger(path: Path) -> str:
    """The demo's network (Ana's) in a SQLite file, plus a person with a hostile name
    and a touch with a hostile note; its URL."""
    url = f"sqlite:///{path}"
    with ledger.open(url) as book:
        populate(book)
        book.add_person("mallory", HOSTILE_NAME, org="<b>Evil</b> Corp")
        book.record("message", "mallory", "ana", "2024-12-20T10:00:00Z", note=HOSTILE_NOTE)
    return url


def client(shell: Shell, port: int = PORT) -> TestClient:
    """A client that presented the token once (it holds the cookie since)."""
    app = create_app(shell, port=port)
    found = TestClient(app, base_url=f"http://127.0.0.1:{port}", raise_server_exceptions=False)
    answer = found.get(f"/?token={shell.token}", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return found


def wait_job(web: TestClient, job_id: str, seconds: float = 60) -> None:
    """Poll a job as the page does, until it is done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = web.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
        if "HX-Redirect" in answer.headers or "Done." in answer.text or "error" in answer.text:
            return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def get_page(web: TestClient, path: str) -> Any:
    """GET a page; when it is answered by a job (202, progress), wait and GET it again."""
    answer = web.get(path)
    if answer.status_code == 202:
        found = re.search(r"/jobs/([0-9a-f]+)", answer.text)
        assert found is not None, answer.text
        wait_job(web, found.group(1))
        answer = web.get(path)
    return answer


@contextmanager
def running_server(url: str, **options: object) -> Iterator[tuple[Shell, str]]:
    """``ledger serve``'s application on a free loopback port, in a thread: the shell
    and the address with its token."""
    shell = open_shell(url, **options)  # type: ignore[arg-type]
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    app = create_app(shell, port=port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield shell, f"http://127.0.0.1:{port}/?token={shell.token}"
    finally:
        server.should_exit = True
        thread.join(10)
        listening.close()
        shell.close()
