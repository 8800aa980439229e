"""``ledger dump`` and ``ledger load`` on real data (issue 13): a real LinkedIn export and
a SNAP e-mail log in one SQLite ledger, dumped, loaded into an empty encrypted ledger on
PostgreSQL, dumped again and loaded back into a plain SQLite file. At every hop the audit
is clean (log, chain, index, and the views against a replay), every export, answer and
timeline is the same as the original's, and the dumps hold the same facts.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

import ledger
from ledger.cli.main import main
from ledger.sources import import_edges, import_linkedin

pytestmark = [pytest.mark.realdata, pytest.mark.postgres, pytest.mark.slow]

EXPORT = "linkedin/SStellaMary__LinkedIn-Analysis"
SNAP = "snap/email-Eu-core-temporal-Dept3.txt.gz"
AS_OF = "2024-06-19T00:00:00Z"
KEY = "c3" * 32


def run(url: str, *args: str, key: str | None = None) -> str:
    env = {"LEDGER_TZ": "UTC", "LEDGER_PASSPHRASE": None, "LEDGER_KEY": key}
    result = CliRunner(env=env).invoke(main, ["--db", url, *args])
    assert result.exit_code == 0, (url, args, result.stderr)
    return str(result.stdout)


def _answers(url: str, tmp_path: Path, people: list[str], key: str | None = None) -> dict[str, str]:
    """Every export, the main answers, and some timelines, as the command line gives them."""
    found: dict[str, str] = {}
    for projection in ("decay", "depth", "reciprocity"):
        found[projection] = run(url, "export", projection, "--as-of", AS_OF, key=key)
    graph = tmp_path / f"decay-{abs(hash(url))}.graphml"
    run(url, "export", "decay", "--as-of", AS_OF, "-o", str(graph), key=key)
    found["graphml"] = graph.read_text()
    questions = (
        ("person", "list", "--as-of", AS_OF),
        ("network", "--as-of", AS_OF),
        ("network", "--all", "--as-of", AS_OF),
        ("remind", "--as-of", AS_OF),
        ("givers", "--as-of", AS_OF),
        ("invitations", "--as-of", AS_OF),
        ("intros", "--as-of", AS_OF),
        ("suggest-intros", "--as-of", AS_OF),
        ("diversity", "--by", "org", "--as-of", AS_OF),
        ("settings",),
        *(("timeline", person) for person in people),
        *(("show", person, "--as-of", AS_OF) for person in people),
    )
    for args in questions:
        found[" ".join(args)] = run(url, *args, "--format", "json", key=key)
    return found


def _facts(dump: Path) -> list[bytes]:
    """A dump's lines but its header and end (which say when it was made)."""
    return dump.read_bytes().splitlines()[1:-1]


def _clean(url: str, key: str | None = None) -> None:
    with ledger.open(url, key=key, create=False) as book:
        report = book.audit()
        assert report.ok and not report.not_checked, report.problems
        assert report.events == book.log_position > 0


def test_a_real_ledger_dumped_and_loaded_sqlite_postgres_and_back(
    shared_data: Path, postgres_url: str, tmp_path: Path
) -> None:
    original = f"sqlite:///{tmp_path / 'original.db'}"
    with ledger.open(original) as book:
        owner = import_linkedin(book, shared_data / EXPORT).owner
        import_edges(book, shared_data / SNAP)
        assert owner is not None and book.owner == owner
        busiest = max(book.pairs(AS_OF), key=lambda view: view.decay.touches)
    people = [owner, busiest.a, busiest.b]
    expected = _answers(original, tmp_path, people)
    assert json.loads(expected["network --all --as-of " + AS_OF])["size"] > 3_000
    first = tmp_path / "first.dump"
    run(original, "dump", "-o", str(first))
    # SQLite -> PostgreSQL, encrypted there; then back to a plain SQLite file.
    loaded = run(postgres_url, "load", "--encrypt", str(first), key=KEY)
    password = urlsplit(postgres_url).password
    assert loaded.startswith("loaded ") and (not password or f":{password}@" not in loaded)
    _clean(postgres_url, KEY)
    assert _answers(postgres_url, tmp_path, people, KEY) == expected
    second = tmp_path / "second.dump"
    run(postgres_url, "dump", "-o", str(second), key=KEY)
    assert _facts(second) == _facts(first)  # every event, key and identity, as they were
    back = f"sqlite:///{tmp_path / 'back.db'}"
    run(back, "load", str(second))
    _clean(back)
    assert _answers(back, tmp_path, people) == expected
