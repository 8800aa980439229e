"""ledger serve, request by request (Starlette's test client): the token, CSRF,
read-only, escaping, errors, the forms, jobs with progress, other processes' writes,
encrypted ledgers and PostgreSQL. The same in a real browser: test_web_browser.py."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

import ledger
from ledger.cli.demo import populate
from ledger.web import open_shell
from ledger.web._page import zones
from web_support import AS_OF, client, demo_ledger, get_page, wait_job

LEDGER = str(Path(sys.executable).with_name("ledger"))
PAGES = (
    "/",
    "/person?key=jon",
    "/network",
    "/network?scope=all",
    "/intros?target=emma",
    "/log",
    "/audit",
)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "ledger.db"
    demo_ledger(path)
    return path


@pytest.fixture
def url(demo_file: Path, tmp_path: Path) -> str:
    """A fresh copy of the demo ledger for each test."""
    target = tmp_path / "ledger.db"
    shutil.copy(demo_file, target)
    return f"sqlite:///{target}"


@pytest.fixture
def shell(url: str) -> Iterator[object]:
    opened = open_shell(url)
    yield opened
    opened.close()


def test_every_request_needs_the_token(shell: object) -> None:
    from starlette.testclient import TestClient

    from ledger.web import create_app

    bare = TestClient(create_app(shell, port=8484), base_url="http://127.0.0.1:8484")  # type: ignore[arg-type]
    for path in ("/", "/person?key=ana", "/static/style.css", "/jobs/x", "/nowhere"):
        answer = bare.get(path)
        assert answer.status_code == 403, path
        assert "open the address ledger serve printed" in answer.text
    assert bare.get("/?token=wrong").status_code == 403
    welcome = bare.get(f"/?token={shell.token}&as_of=2024-12-31", follow_redirects=False)  # type: ignore[attr-defined]
    assert welcome.status_code == 303
    assert welcome.headers["location"] == "/?as_of=2024-12-31"  # the token leaves the address
    cookie = welcome.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "ledger-token-8484=" in cookie
    assert bare.get("/?as_of=2024-12-31").status_code == 200  # the cookie carries it since
    assert bare.put("/log").status_code in (403, 405)


def test_another_host_is_refused(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    assert web.get("/", headers={"host": "evil.example:8484"}).status_code == 400


def test_every_page_renders_as_of_a_date_and_keeps_it(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    for path in PAGES:
        joined = "&" if "?" in path else "?"
        answer = get_page(web, f"{path}{joined}as_of={AS_OF}&tz=Europe/Lisbon")
        assert answer.status_code == 200, (path, answer.text[-500:])
        page = answer.text
        assert 'href="/network?as_of=2024-12-31&amp;tz=Europe%2FLisbon"' in page, path
        assert "times in Europe/Lisbon" in page
        headers = answer.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"


def test_charts_are_svg_written_by_the_server(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    person = web.get(f"/person?key=jon&as_of={AS_OF}").text
    assert "<svg" in person and "strength with me over time" in person
    assert len(re.findall(r"<circle class=\"dot", person)) == 40
    network = get_page(web, f"/network?as_of={AS_OF}").text
    assert network.count("<svg") >= 4  # growth, depth, diversity, givers
    assert "http://" not in network.replace("http://www.w3.org", "")  # nothing from outside


def test_hostile_values_are_escaped_and_made_visible(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    for path in (f"/person?key=mallory&as_of={AS_OF}", f"/person?key=ana&as_of={AS_OF}"):
        page = web.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>Evil" not in page
        assert "\x1b" not in page and "\u202e" not in page
    page = web.get(f"/person?key=mallory&as_of={AS_OF}").text
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; Co" in page
    assert "\\x1b[31mred\\x1b[0m &lt;img src=x onerror=alert(1)&gt; \\u202eevil\\u202c" in page
    assert "&lt;b&gt;Evil&lt;/b&gt; Corp" in page


def test_what_the_ledger_refuses_is_a_clear_error_on_the_form(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    book = shell.book  # type: ignore[attr-defined]
    before = book.log_position
    csrf = shell.csrf  # type: ignore[attr-defined]
    cases = {
        "ana\u202e": "contains the control or bidi character U+202E",
        "<script>nobody": "unknown person &#39;&lt;script&gt;nobody&#39;",
    }
    for to, message in cases.items():
        form = {
            "csrf": csrf,
            "kind": "message",
            "initiator": "ana",
            "counterparts": to,
            "at": "2024-12-30T10:00",
            "note": "hi",
        }
        answer = web.post("/log", data=form)
        assert answer.status_code == 400
        assert message in answer.text, answer.text
        assert "Nothing was recorded" in answer.text
        assert 'value="hi"' in answer.text  # what was typed is kept
        assert "\u202e" not in answer.text
    bad_time = {
        "csrf": csrf,
        "kind": "call",
        "initiator": "ana",
        "counterparts": "ben",
        "at": "yesterday",
    }
    assert "at:" in web.post("/log", data=bad_time).text
    bad_length = {
        "csrf": csrf,
        "kind": "call",
        "initiator": "ana",
        "counterparts": "ben",
        "duration": "long",
    }
    assert (
        "duration: a whole number of seconds (got &#39;long&#39;)"
        in web.post("/log", data=bad_length).text
    )
    assert book.log_position == before  # nothing written


def test_logging_a_touch_records_it_in_the_display_zone(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    form = {
        "csrf": shell.csrf,
        "kind": "call",
        "initiator": "ana",
        "counterparts": "lena",  # type: ignore[attr-defined]
        "at": "2024-12-30T09:15",
        "note": "catch-up <call>",
        "duration": "600",
        "tz": "Europe/Lisbon",
        "next": "/person?key=lena&as_of=2024-12-31",
    }
    answer = web.post("/log", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/person?key=lena&as_of=2024-12-31"
    page = web.get(answer.headers["location"] + "&tz=Europe/Lisbon").text
    assert "recorded call from ana at 2024-12-30 09:15" in page
    assert "catch-up &lt;call&gt;" in page
    found = [tp for tp in shell.book.timeline("ana", "lena") if tp.kind == "call"]  # type: ignore[attr-defined]
    assert found[-1].occurred_at.isoformat() == "2024-12-30T09:15:00+00:00"  # Lisbon = UTC then
    assert found[-1].duration_seconds == 600


def test_writes_need_the_csrf_token_and_the_same_origin(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    book = shell.book  # type: ignore[attr-defined]
    before = book.log_position
    form = {"kind": "call", "initiator": "ana", "counterparts": "ben"}
    for data in (form, {**form, "csrf": "wrong"}):
        answer = web.post("/log", data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text
    answer = web.post(
        "/log",
        data={**form, "csrf": shell.csrf},  # type: ignore[attr-defined]
        headers={"origin": "http://evil.example"},
    )
    assert answer.status_code == 403
    assert web.post("/snooze", data={"person": "ben", "days": "7"}).status_code == 403
    assert web.post("/audit", data={}).status_code == 403
    assert book.log_position == before
    assert web.get("/log?kind=call&initiator=ana&counterparts=ben").status_code == 200
    assert book.log_position == before  # a GET never writes


def test_read_only_shows_and_records_nothing(url: str) -> None:
    shell = open_shell(url, read_only=True)
    try:
        web = client(shell)
        page = web.get(f"/?as_of={AS_OF}").text
        assert "Read-only" in page and 'action="/snooze"' not in page
        assert 'method="post"' not in web.get("/log").text
        answer = web.post(
            "/log",
            data={"csrf": shell.csrf, "kind": "call", "initiator": "ana", "counterparts": "ben"},
        )
        assert answer.status_code == 403 and "read-only" in answer.text
    finally:
        shell.close()


def test_snoozed_people_leave_this_week(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    page = web.get(f"/?as_of={AS_OF}").text
    assert 'data-person="jon"' in page
    form = {
        "csrf": shell.csrf,
        "person": "jon",
        "days": "30",
        "reason": "on leave",  # type: ignore[attr-defined]
        "as_of": AS_OF,
        "next": f"/?as_of={AS_OF}",
    }
    answer = web.post("/snooze", data=form)
    assert answer.status_code == 200
    assert 'data-person="jon"' not in answer.text
    assert "snoozed jon until 2025-01-30" in answer.text
    assert "ana and jon until 2025-01-30: on leave" in answer.text
    assert web.post("/snooze", data={**form, "days": "9999"}).status_code == 400


def test_no_stack_trace_reaches_the_page(
    shell: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("secret detail /home/user/ledger.db")

    monkeypatch.setattr("ledger.web.app.week", broken)
    web = client(shell)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="ledger.web"):
        answer = web.get("/")
    assert answer.status_code == 500
    assert "secret detail" not in answer.text and "Traceback" not in answer.text
    assert "the details are in the server&#39;s log" in answer.text
    assert "secret detail" in caplog.text and "RuntimeError" in caplog.text


def test_bad_questions_are_one_line_errors(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    cases = {
        "/?as_of=2024-02-30": "as_of: no such date (got &#39;2024-02-30&#39;)",
        "/?tz=Mars/Olympus": "tz: not a time zone",
        "/?tz=localtime": "tz: not a portable time zone",
        "/?tz=right/Europe/Paris": "tz: not a portable time zone",
        "/person?key=nobody": "key: unknown person &#39;nobody&#39;",
        "/?me=nobody": "unknown person &#39;nobody&#39;",
    }
    for path, message in cases.items():
        answer = web.get(path)
        assert answer.status_code == 400 and message in answer.text, path
    assert web.get("/nowhere").status_code == 404
    offered = zones()
    assert "Europe/Paris" in offered and "UTC" in offered
    assert not {"localtime", "Factory", "posixrules"} & set(offered)
    assert not any(name.startswith(("posix/", "right/")) for name in offered)


def test_another_process_s_writes_show_at_the_next_load(shell: object, url: str) -> None:
    web = client(shell)  # type: ignore[arg-type]
    assert "grace" not in web.get("/person?key=lena").text.split("Timeline")[1]
    with ledger.open(url) as other:
        other.record("meeting", "lena", "grace", "2024-12-31T12:00:00Z", note="from elsewhere")
    assert "from elsewhere" in web.get("/person?key=lena").text


def test_a_long_catch_up_shows_progress(shell: object, url: str) -> None:
    shell.catch_up_shown = 2  # type: ignore[attr-defined]
    web = client(shell)  # type: ignore[arg-type]
    with ledger.open(url) as other:
        for hour in range(5):
            other.record("message", "ana", "ben", f"2024-12-31T{10 + hour}:00:00Z", note=f"n{hour}")
    answer = web.get("/person?key=ben")
    assert answer.status_code == 202 and "catching up" in answer.text
    job = re.search(r"/jobs/([0-9a-f]+)", answer.text)
    assert job is not None
    wait_job(web, job.group(1))
    assert (
        web.get(f"/jobs/{job.group(1)}", headers={"HX-Request": "true"}).headers["HX-Redirect"]
        == "/person?key=ben"
    )
    assert "n4" in web.get("/person?key=ben").text


def test_a_heavy_page_is_answered_by_a_job_then_reused(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    shell.cost["network"] = 10.0  # type: ignore[attr-defined] # as if it took 10 s last time
    answer = web.get(f"/network?as_of={AS_OF}")
    assert answer.status_code == 202 and "working out network" in answer.text
    job = re.search(r"/jobs/([0-9a-f]+)", answer.text)
    assert job is not None
    wait_job(web, job.group(1))
    again = web.get(f"/network?as_of={AS_OF}")
    assert again.status_code == 200 and "relationships by depth" in again.text


def test_an_audit_runs_with_progress(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    page = web.get("/audit").text
    assert "No audit was run" in page
    head = shell.book.chain_head[1]  # type: ignore[attr-defined]
    assert head in page
    answer = web.post("/audit", data={"csrf": shell.csrf}, follow_redirects=False)  # type: ignore[attr-defined]
    assert answer.status_code == 303
    deadline = time.monotonic() + 60
    while shell.jobs.running("audit") and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.1)
    page = web.get("/audit").text
    assert 'id="audit-result">ok' in page and head in page.split("The last audit")[1]


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:1@test\r
DTSTAMP:20241201T000000Z\r
DTSTART:20241202T100000Z\r
DTEND:20241202T110000Z\r
SUMMARY:Planning\r
ORGANIZER:mailto:ana@example.org\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:zoe@example.org\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_uploaded_calendar_is_imported_with_its_summary(shell: object) -> None:
    web = client(shell)  # type: ignore[arg-type]
    answer = web.post(
        "/import",
        data={"csrf": shell.csrf, "me_address": "ana@example.org"},  # type: ignore[attr-defined]
        files={"file": ("work.ics", ICS.encode(), "text/calendar")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    wait_job(web, job_id)
    page = web.get(f"/log?job={job_id}").text
    assert "rows read" in page and "added" in page, page[-2000:]
    wrong = web.post(
        "/import",
        data={"csrf": shell.csrf},  # type: ignore[attr-defined]
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert wrong.status_code == 400 and "upload a LinkedIn export (.zip)" in wrong.text


def test_an_encrypted_ledger_is_served_with_its_passphrase(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secret.db'}"
    with ledger.open(url, encrypt=True, passphrase="correct horse") as book:
        book.add_person("ana", "Ana <Secret>")
        book.add_person("ben")
        book.record("call", "ana", "ben", "2024-05-01T10:00:00Z", note="sealed note")
    with pytest.raises(ledger.KeyRequiredError):
        open_shell(url)
    shell = open_shell(url, passphrase="correct horse")
    try:
        web = client(shell)
        page = web.get("/person?key=ana").text
        assert "Ana &lt;Secret&gt;" in page and "sealed note" in page
        assert "correct horse" not in page
    finally:
        shell.close()
    serve = [LEDGER, "--db", url, "serve", "--port", "0"]
    refused = subprocess.run(
        serve, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60, check=False
    )
    assert refused.returncode == 1
    assert "the ledger is encrypted: give its passphrase" in refused.stderr


def test_ledger_serve_prints_the_address_and_serves_it(url: str) -> None:
    command = [LEDGER, "--db", url, "serve", "--port", "0", "--host", "127.0.0.2", "--read-only"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        warning = process.stderr.readline()
        assert warning.startswith("warning: listening on 127.0.0.2")
        assert "(read-only)" in process.stdout.readline()
        address = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.2:\d+/\?token=[\w-]{20,}", address), address
        with httpx.Client(follow_redirects=True, timeout=20) as browser:
            assert browser.get(address.split("?")[0]).status_code == 403
            page = browser.get(address + "&as_of=2024-12-31")
            assert page.status_code == 200 and "Read-only" in page.text
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.postgres
def test_pages_on_postgresql(postgres_url: str) -> None:
    with ledger.open(postgres_url) as book:
        populate(book)
    shell = open_shell(postgres_url)
    try:
        web = client(shell)
        for path in PAGES:
            joined = "&" if "?" in path else "?"
            assert get_page(web, f"{path}{joined}as_of={AS_OF}").status_code == 200, path
        with ledger.open(postgres_url) as other:
            other.record("meeting", "ana", "lena", "2024-12-31T09:00:00Z", note="pg elsewhere")
        assert "pg elsewhere" in web.get("/person?key=lena").text
    finally:
        shell.close()


def test_the_demo_says_how_to_serve_its_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ledger.cli import demo

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(demo, "show_real_log", lambda *args: False)  # the synthetic part only
    assert demo.main() == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "in a browser" in line)
    assert line.endswith("--db sqlite:///demo-out/ledger.db serve")
    assert not line.startswith("  $ ")  # test_demo runs those: this one serves until stopped
