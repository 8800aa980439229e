"""The identity commands and the new importers on the command line."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from ledger.cli.main import main

REAL = Path(__file__).parent / "fixtures" / "real"


def _run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db, *args])
    return result.exit_code, result.output


def test_imports_of_the_sources_people_own(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, out = _run(
        db, "import", "mail", str(REAL / "maildir" / "notmuch_default"), "--output", "json"
    )
    assert code == 0, out
    assert orjson.loads(out)["added"] == 42
    code, out = _run(
        db, "import", "mail", str(REAL / "eml" / "mikelmail_raw_email_with_bad_date.eml")
    )
    assert code == 1 and "bad_date.eml:21: unreadable Date" in out
    assert len(out.strip().splitlines()) == 1
    code, out = _run(
        db,
        "import",
        "whatsapp",
        str(REAL / "whatsapp" / "whatsr_englishiosampm.txt"),
        "--me",
        "You",
        "--output",
        "json",
    )
    assert code == 0 and orjson.loads(out)["added"] == 41, out
    code, out = _run(
        db,
        "import",
        "telegram",
        str(REAL / "telegram" / "chatminer_batch_export.json"),
        "--output",
        "json",
    )
    assert code == 0 and orjson.loads(out)["added"] == 2, out
    code, out = _run(
        db,
        "import",
        "contacts",
        str(REAL / "vcard" / "ezvcard_gmail-list.vcf"),
        "--as-of",
        "2024-01-01",
        "--output",
        "json",
    )
    assert code == 0 and orjson.loads(out)["people_added"] == 3, out


def test_identify_merge_unmerge_and_duplicates(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _run(db, "init")[0] == 0
    for key, name in (("ann", "Ann Lee"), ("ann2", "Ann Lee"), ("bob", "Bob")):
        assert _run(db, "person", "add", key, "--name", name)[0] == 0
    code, out = _run(
        db,
        "person",
        "identify",
        "ann",
        "--email",
        "Ann@Example.org",
        "--phone",
        "020 7946 0958",
        "--region",
        "GB",
    )
    assert code == 0 and "2 new" in out, out
    code, out = _run(db, "person", "identify", "ann2", "--email", "ann@example.org")
    assert code == 0 and "0 new" in out, out
    code, out = _run(db, "person", "duplicates", "--format", "json")
    assert code == 0, out
    [found] = orjson.loads(out)["duplicates"]
    assert (found["a"], found["b"], found["certain"]) == ("ann", "ann2", True)
    code, out = _run(db, "person", "merge", "ann", "ann2", "--reason", "one human")
    assert code == 0 and "merged ann2 into ann" in out
    code, out = _run(db, "show", "ann2", "--format", "json")
    assert orjson.loads(out)["key"] == "ann"
    code, out = _run(db, "person", "unmerge", "ann2", "--reason", "two after all")
    assert code == 0
    code, out = _run(db, "person", "duplicates", "--apply", "--format", "json")
    assert code == 0 and orjson.loads(out)["merged"] == 1, out
    code, out = _run(db, "person", "merge", "ann", "nobody", "--reason", "x")
    assert code == 1 and out.startswith("error: ") and "nobody" in out
    code, out = _run(db, "replay", "--verify")
    assert code == 0, out
