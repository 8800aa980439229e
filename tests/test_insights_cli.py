"""The insight commands as a user runs them: tables, JSON, JSONL and CSV, --me and the
stored owner, snoozes, pictures, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli.main import main

NOW = datetime(2024, 6, 1, tzinfo=UTC)
AS_OF = "2024-06-01T00:00:00Z"


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url) as book:
        book.add_person("me", org="Acme", location="Chicago")
        book.add_person("ann", org="Acme", tags=["ml"], location="Chicago")
        book.add_person("cat", org="Acme", tags=["ml"])
        book.add_person("bob", org="Initech")
        book.add_person("mary")
        for k in range(8):  # me and ann: weekly, last 30 days ago -> overdue
            a, b = ("me", "ann") if k % 2 else ("ann", "me")
            book.record("message", a, b, ago(30 + 7 * k))
        book.record("meeting", "me", "cat", ago(3))
        book.record("message", "cat", "me", ago(2))
        book.record("meeting", "cat", "bob", ago(2))
        book.record("message", "bob", "cat", ago(1))
        book.record("introduction", "mary", ["ann", "bob"], ago(20))
        book.record("favor", "mary", "me", ago(10))
        book.record("connection_requested", "me", "mary", ago(40))
        book.record("connection_accepted", "mary", "me", ago(39))
    return url


def run(db: str, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == code, (result.output, result.stderr)
    return result


def as_json(db: str, *args: str) -> dict[str, object]:
    document = json.loads(run(db, *args, "--format", "json").stdout)
    assert isinstance(document, dict)
    return document


def test_owner_set_show_and_no_owner_error(db: str) -> None:
    result = run(db, "remind", code=1)
    assert result.stderr.count("\n") == 1 and "no owner is set" in result.stderr
    assert "not set" in run(db, "owner").stdout
    assert run(db, "owner", "me").stdout.strip() == "owner: me"
    assert run(db, "owner").stdout.strip() == "owner: me"
    assert "unknown person 'nobody'" in run(db, "owner", "nobody", code=1).stderr


def test_network_table_json_and_csv(db: str) -> None:
    run(db, "owner", "me")
    table = run(db, "network", "--as-of", AS_OF).stdout
    assert "Network health" in table and "talked to share" in table
    facts = as_json(db, "network", "--as-of", AS_OF, "--points", "3")
    assert facts["size"] == 3 and facts["talked_to"] == 2 and facts["depth_one_way"] == 1
    assert len(facts["history"]) == 3  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(run(db, "network", "--format", "csv").stdout)))
    assert rows and set(rows[0]) >= {"as_of", "size", "inch_deep_share"}
    assert as_json(db, "network", "--all", "--as-of", AS_OF)["me"] == "(whole ledger)"
    assert as_json(db, "network", "--me", "bob", "--as-of", AS_OF)["size"] == 3  # cat, ann, mary


def test_remind_and_snooze(db: str) -> None:
    run(db, "owner", "me")
    found = as_json(db, "remind", "--as-of", AS_OF)
    assert [(r["person"], r["status"]) for r in found["reminders"]] == [("ann", "overdue")]  # type: ignore[index,union-attr]
    lines = run(db, "remind", "--as-of", AS_OF, "--format", "jsonl").stdout.splitlines()
    assert json.loads(lines[0])["rhythm_days"] == 7.0
    out = run(db, "snooze", "ann", "--until", "2024-06-10", "--since", "2024-05-31T00:00:00Z")
    assert out.stdout.startswith("snoozed ann – me until 2024-06-10")
    silenced = as_json(db, "remind", "--as-of", AS_OF)
    assert silenced["reminders"] == [] and silenced["snoozed"] == 1
    assert "snoozed: ann – me" in run(db, "remind", "--as-of", AS_OF).stdout
    assert as_json(db, "remind", "--as-of", "2024-06-11")["fading"] == 1


def test_suggest_intros_and_path(db: str) -> None:
    run(db, "owner", "me")
    found = as_json(db, "suggest-intros", "--as-of", AS_OF, "--min-depth", "one_way")
    pairs = [(s["x"], s["y"]) for s in found["suggestions"]]  # type: ignore[union-attr,index]
    assert ("ann", "cat") in pairs
    hops = as_json(db, "path", "bob", "--as-of", AS_OF)
    assert [(h["source"], h["target"]) for h in hops["hops"]] == [("me", "cat"), ("cat", "bob")]  # type: ignore[union-attr,index]
    assert "Warmest path" in run(db, "path", "bob").stdout
    # no path is an empty answer, not a failure (docs/cli.md, exit status): exit 0
    assert "no path" in run(db, "path", "mary", "--as-of", AS_OF).stdout
    assert as_json(db, "path", "mary", "--as-of", AS_OF)["length"] == 0


def test_intros_givers_invitations_who_diversity(db: str) -> None:
    run(db, "owner", "me")
    intros = as_json(db, "intros", "--as-of", AS_OF)
    assert intros["brokers"] == [  # bob and ann never spoke after mary introduced them
        {"broker": "mary", "introductions": 1, "turned_into_relationship": 0, "rate": 0.0}
    ]
    assert as_json(db, "intros", "--met", "bob", "--me", "ann")["introduced_by"] == "mary"
    givers = as_json(db, "givers", "--as-of", AS_OF)
    assert givers["givers"][0]["person"] == "mary"  # type: ignore[index]
    # her favor to me (3, 10 days ago) and her introduction to ann and to bob (2 each, 20 days)
    given = 3 * 2 ** (-10 / 90) + 2 * 2 * 2 ** (-20 / 90)
    assert givers["givers"][0]["given"] == pytest.approx(given, rel=1e-12)  # type: ignore[index]
    mirror = as_json(db, "givers", "--taking", "--as-of", AS_OF)
    # mary's favor, then ann's one answer more than mine (she answered 4 times, I 3)
    assert [b["other"] for b in mirror["balances"]] == ["mary", "ann"]  # type: ignore[union-attr,index]
    invites = as_json(db, "invitations", "--as-of", AS_OF)
    assert invites["sent"] == 1 and invites["cold_share_sent"] == 1.0
    people = as_json(db, "who", "--knows", "ML", "--as-of", AS_OF)
    found = people["people"]
    assert sorted(p["person"] for p in found) == ["ann", "cat"]  # type: ignore[union-attr,index]
    assert found[0]["strength"] >= found[1]["strength"]  # type: ignore[index]
    assert "Chicago" in run(db, "who", "--lives-in", "chicago").stdout
    assert "give --lives-in PLACE or --knows TOPIC" in run(db, "who", code=2).stderr
    nobody = run(db, "who", "--lives-in", "Atlantis")  # no match is an answer: exit 0
    assert "no match: nobody living in 'Atlantis'" in nobody.stdout
    variety = as_json(db, "diversity", "--as-of", AS_OF)
    assert variety["own"] == "Acme" and variety["inside_share"] == 1.0
    assert as_json(db, "diversity", "--all", "--by", "tags")["me"] == "(whole ledger)"
    assert "history" in as_json(db, "diversity", "--points", "2")


def test_plot_depth_and_graph(db: str, tmp_path: Path) -> None:
    run(db, "owner", "me")
    out = tmp_path / "depth.png"
    assert "wrote" in run(db, "plot", "depth", "--points", "4", "-o", str(out)).stdout
    graph = tmp_path / "graph.png"
    assert "4 people" in run(db, "plot", "graph", "--as-of", AS_OF, "-o", str(graph)).stdout
    assert out.read_bytes()[:4] == graph.read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "x.png").exists() is False
    run(db, "plot", "graph", "--me", "nobody", "-o", str(tmp_path / "x.png"), code=1)
    assert not (tmp_path / "x.png").exists()
