"""``ledger forget``, proved (issue 13): afterwards nothing anywhere shows the person, and
everyone else's numbers are what a ledger that never knew them gives.

One small ledger ("forgot") knows Zedekiah: his card, address, profile URL, organisation,
a note and a retraction's reason that concern him, group touches he took part in or
initiated, an introduction he made. A second ledger ("never") records the same facts
for everyone else, as docs/privacy.md says a forgotten person's touches count: a meeting
with him is a meeting without him; the attendees of his meeting met each other (nobody
initiated it); his messages and his introduction are gone. After the forget, the raw
database (SQLite file and its -wal and -shm; every PostgreSQL table as text), every
export (CSV, JSON Lines, Parquet, GraphML), every command's output, the plots and their
inputs, and the pages of ``ledger serve``, are searched for his name, key, address, URL
and note; and every number is compared with the other ledger's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

import ledger
from ledger.cli.main import main
from ledger.errors import ForgottenPersonError
from ledger.insights.pictures import depth_series, plot_graph
from ledger.outputs.plot import network_series, strength_series
from ledger.sources import import_edges

NAME, KEY = "Zedekiah Marchbanks", "zmarchbanks"
EMAIL, URL = "zedekiah.m@forgotten.example", "https://www.linkedin.com/in/zedekiah-marchbanks-77"
ORG, NOTE, REASON = "Marchbanks Orchards", "planning the orchard sale", "withdrawn at his wish"
NEEDLES = (NAME, "zedekiah", "marchbanks", KEY, EMAIL, "zedekiah-marchbanks", NOTE, REASON)
AS_OF = "2024-06-30T00:00:00Z"
HEX_KEY = "5a" * 32
OTHERS = {
    "ana": ("Ana Lima", "Lima Labs"),
    "bob": ("Bob Stone", "Stone & Co"),
    "cy": ("Cy Young", "Lima Labs"),
    "dee": ("Dee Park", "Park Design"),
}


def at(day: int, hour: int = 10) -> str:
    return f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T{hour:02d}:00:00Z"


def _record(book: ledger.Ledger, knows_zed: bool) -> None:
    """The same history for everyone but him; with ``knows_zed``, his part too."""
    for key, (name, org) in OTHERS.items():
        book.add_person(key, name, org=org, identifiers=[("email", f"{key}@example.org")])
    if knows_zed:
        book.add_person(KEY, NAME, org=ORG, identifiers=[("email", EMAIL), ("url", URL)])
    book.record("call", "ana", "bob", at(1), duration_seconds=1200)
    if knows_zed:  # a meeting with him: for the others, a meeting without him
        book.record("meeting", "ana", ["bob", KEY], at(3), note=NOTE)
        book.record("meeting", KEY, ["ana", "bob", "cy"], at(5), duration_seconds=3600)
        book.record("message", KEY, ["ana", "bob"], at(7))
        book.record("introduction", KEY, ["ana", "dee"], at(9))
        book.record("message", "dee", KEY, at(11), personalized=True)
        mistake = book.record("message", "cy", KEY, at(12))
        book.retract(mistake, REASON)
    else:  # what remains of them
        book.record("meeting", "ana", "bob", at(3))
        book.record("meeting", "ana", ["bob", "cy"], at(5), duration_seconds=3600, symmetric=True)
    book.record("favor", "cy", "dee", at(13))
    book.record("email", "bob", "ana", at(15), personalized=True, note="the contract")
    book.record("message", "dee", "ana", at(40))
    book.record("call", "ana", "dee", at(60))
    book.set_owner("ana")


def _forgot(url: str, **unlock: Any) -> None:
    with ledger.open(url, **unlock) as book:
        _record(book, knows_zed=True)
        book.forget(EMAIL, "request 2024-17")  # found by his address


def _never(url: str, **unlock: Any) -> None:
    with ledger.open(url, **unlock) as book:
        _record(book, knows_zed=False)


def run(*args: str, env: dict[str, str | None] | None = None) -> str:
    base: dict[str, str | None] = {"LEDGER_TZ": "UTC", "LEDGER_PASSPHRASE": None}
    result = CliRunner(env={"LEDGER_KEY": None, **base, **(env or {})}).invoke(main, list(args))
    assert result.exit_code == 0, (args, result.stderr)
    return str(result.stdout)


_QUESTIONS = (
    ("person", "list", "--format", "json", "--as-of", AS_OF),
    ("show", "ana", "--format", "json", "--as-of", AS_OF),
    ("pair", "ana", "bob", "--format", "json", "--as-of", AS_OF),
    ("network", "--as-of", AS_OF, "--format", "json"),
    ("network", "--all", "--as-of", AS_OF, "--format", "json"),
    ("remind", "--as-of", AS_OF, "--format", "json"),
    ("givers", "--as-of", AS_OF, "--format", "json"),
    ("diversity", "--by", "org", "--as-of", AS_OF, "--format", "json"),
    ("intros", "--as-of", AS_OF, "--format", "json"),
    ("suggest-intros", "--as-of", AS_OF, "--format", "json"),
    ("who", "--knows", "labs", "--as-of", AS_OF, "--format", "json"),
    ("invitations", "--as-of", AS_OF, "--format", "json"),
    ("settings", "--format", "json"),
    *(("timeline", key, "--format", "json") for key in OTHERS),
)


def _without_ids(text: str) -> bytes:
    """A JSON answer without what each ledger makes its own: touchpoint ids, and when a
    setting was recorded."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _OWN}
        return [strip(v) for v in value] if isinstance(value, list) else value

    return json.dumps(strip(json.loads(text)), sort_keys=True).encode()


_OWN = ("touchpoint_id", "recorded_at")


def _outputs(url: str, folder: Path, env: dict[str, str | None]) -> dict[str, bytes]:
    """Everything the ledger shows, by name: exports, answers, timelines, plots."""
    folder.mkdir()
    shown: dict[str, bytes] = {}
    for projection in ("decay", "depth", "reciprocity"):
        for form in ("csv", "jsonl", "parquet", "graphml"):
            out = folder / f"{projection}.{form}"
            run("--db", url, "export", projection, "--as-of", AS_OF, "-o", str(out), env=env)
            shown[out.name] = out.read_bytes()
    for args in _QUESTIONS:
        shown[" ".join(args[:2])] = _without_ids(run("--db", url, *args, env=env))
    for plot in (("network",), ("depth",), ("graph",), ("pair", "ana", "bob")):
        out = folder / f"plot-{plot[0]}.png"
        until = "--as-of" if plot[0] == "graph" else "--until"
        run("--db", url, "plot", *plot, until, AS_OF, "-o", str(out), env=env)
        shown[out.name] = out.read_bytes()  # pixels: searched, not compared
    return shown


def _comparable(shown: dict[str, bytes]) -> dict[str, bytes]:
    """The outputs but the pictures (compared by what they are drawn from)."""
    return {name: data for name, data in shown.items() if not name.endswith(".png")}


def _plot_inputs(url: str, **unlock: Any) -> dict[str, Any]:
    """What the plots are drawn from, as the Python API gives it."""
    with ledger.open(url, **unlock) as book:
        pair = strength_series(book, "ana", "bob", until=AS_OF)
        graph = plot_graph(book, Path("/dev/null"), "ana", AS_OF)
        return {
            "network": network_series(book, points=6, until=AS_OF),
            "depth": depth_series(book, "ana", points=6, until=AS_OF),
            "pair": (pair.times, pair.strengths, [c.occurred_at for c in pair.touches]),
            "graph": graph,
            "attributes": book.attributes_at(AS_OF),
            "pairs": [(p.a, p.b, p.strength, p.level) for p in book.pairs(AS_OF)],
        }


def _find(haystack: bytes, hexed: bool = False) -> list[str]:
    """Which needles ``haystack`` holds (case-insensitive; ``hexed``: as hex too, for
    PostgreSQL's text of bytea columns)."""
    text = haystack.lower()
    found = [n for n in NEEDLES if n.lower().encode() in text]
    if hexed:
        found += [n for n in NEEDLES if n.encode().hex().encode() in text]
    return found


def _files(path: Path) -> bytes:
    """The SQLite file and everything beside it (-wal, -shm, journals)."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


_UNLOCK = {"plain": {}, "encrypted": {"encrypt": True, "key": HEX_KEY}}


def _pages(url: str) -> dict[str, bytes]:
    """The pages of ``ledger serve`` (through its application, no socket)."""
    from ledger.web import open_shell
    from web_support import client, get_page

    shell = open_shell(url)
    try:
        web = client(shell)
        paths = ["/", "/network", "/intros", "/log", "/audit"]
        paths += [f"/person?key={key}" for key in OTHERS]
        return {path: get_page(web, path).content for path in paths}
    finally:
        shell.close()


@pytest.mark.parametrize("mode", ["plain", "encrypted"])
def test_forgotten_on_sqlite_leaves_no_trace_and_the_others_numbers_unchanged(
    tmp_path: Path, mode: str
) -> None:
    unlock, env = _UNLOCK[mode], {"LEDGER_KEY": HEX_KEY if mode == "encrypted" else None}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    forgot, never = tmp_path / "a" / "forgot.db", tmp_path / "b" / "never.db"
    with ledger.open(f"sqlite:///{forgot}", **unlock) as book:
        _record(book, knows_zed=True)
        book.catch_up()
        # The search can find him: a plain file names him, until he is forgotten.
        assert bool(_find(_files(forgot))) is (mode == "plain")
        book.forget(EMAIL, "request 2024-17")
        assert _find(_files(forgot)) == []  # the ledger still open: its -wal is searched too
        report = book.audit()
        assert report.ok, report.problems  # the chain covers ciphertext: still whole
    _never(f"sqlite:///{never}", **unlock)
    assert _find(_files(forgot)) == []
    url_a, url_b = f"sqlite:///{forgot}", f"sqlite:///{never}"
    shown = _outputs(url_a, tmp_path / "out-a", env)
    expected = _outputs(url_b, tmp_path / "out-b", env)
    assert {name: _find(data) for name, data in shown.items() if _find(data)} == {}
    assert _comparable(shown) == _comparable(expected)
    unlocked = {k: v for k, v in unlock.items() if k != "encrypt"}
    assert _plot_inputs(url_a, **unlocked) == _plot_inputs(url_b, **unlocked)
    if mode == "plain":  # the pages of ``ledger serve`` too
        pages = _pages(url_a)
        assert all(b"Ana Lima" in page for path, page in pages.items() if "ana" in path)
        assert {path: _find(page) for path, page in pages.items() if _find(page)} == {}
    assert _find(_files(forgot)) == []  # reading wrote nothing about him back


def test_reimporting_the_forgotten_is_refused_unless_allowed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forgot.db'}"
    _forgot(url)
    for named in (KEY, EMAIL):  # by key, and by an identifier his card had
        log = tmp_path / "again.txt"
        log.write_text(f"ana {named} 1719000000\n")
        with ledger.open(url) as book:
            before = book.log_position
            with pytest.raises(ForgottenPersonError):
                import_edges(book, log)
            assert book.log_position == before and KEY not in book.people()
    with ledger.open(url) as book:
        import_edges(book, log, allow_forgotten=True)  # the user says so: a new person
        again = book.person(EMAIL)
        assert (again.key, again.name, again.attributes) == (EMAIL, EMAIL, {})  # not his card
        assert KEY not in book.people()


def _tables_as_text(url: str) -> bytes:
    """Every row of every table in the ledger's schema, as PostgreSQL writes it as text
    (bytea as hex)."""
    dsn, _, query = url.partition("?")
    schema = query.removeprefix("schema=")
    with psycopg.connect(dsn) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            )
        ]
        assert {"ledger_events", "ledger_keys", "ledger_view_people"} <= set(names)
        rows = [
            str(row[0]).encode()
            for name in names
            for row in conn.execute(f'SELECT t::text FROM "{schema}"."{name}" t')
        ]
    return b"\n".join(rows)


@pytest.mark.postgres
def test_forgotten_on_postgres_leaves_no_trace_and_the_others_numbers_unchanged(
    postgres_url: str, tmp_path: Path
) -> None:
    with ledger.open(postgres_url) as book:
        _record(book, knows_zed=True)
        book.catch_up()
    assert _find(_tables_as_text(postgres_url))  # the search finds him while he is known
    with ledger.open(postgres_url) as book:
        book.forget(KEY, "request 2024-17")
        assert book.audit().ok
    assert _find(_tables_as_text(postgres_url), hexed=True) == []
    never = f"sqlite:///{tmp_path / 'never.db'}"
    _never(never)
    shown = _outputs(postgres_url, tmp_path / "out-a", {})
    expected = _outputs(never, tmp_path / "out-b", {})
    assert {name: _find(data) for name, data in shown.items() if _find(data)} == {}
    assert _comparable(shown) == _comparable(expected)
    assert _plot_inputs(postgres_url) == _plot_inputs(never)
