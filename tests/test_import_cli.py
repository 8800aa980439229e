"""``ledger import ...`` on the command line: summaries, one-line errors, the options."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import orjson
from click.testing import CliRunner

from ledger.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
REAL = Path(__file__).parent / "fixtures" / "real"


def _run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db, "import", *args])
    return result.exit_code, result.output


def test_cli_imports_prints_json_and_reports_errors_on_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, output = _run(db, "edges", str(FIXTURES / "tiny.snap.txt"), "--output", "json")
    assert code == 0, output
    assert orjson.loads(output)["added"] == 4
    code, output = _run(db, "edges", str(FIXTURES / "bad_time.snap.txt"))
    assert code == 1
    assert "bad_time.snap.txt:2: bad timestamp" in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_cli_meetings_start_and_ics_with_several_addresses(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, output = _run(db, "meetings", str(FIXTURES / "proximity.dat"))
    assert code == 1 and "--start DATE" in output
    args = (
        "meetings",
        str(FIXTURES / "proximity.dat"),
        "--start",
        "2024-01-01",
        "--output",
        "json",
    )
    code, output = _run(db, *args)
    assert code == 0 and orjson.loads(output)["added"] == 3
    ics = str(FIXTURES / "calendar.ics")
    args = ("ics", ics, "--me", "nobody@x.org", "--me", "me@example.org", "--until", "2024-02-01")
    code, output = _run(db, *args, "--output", "json")
    found = orjson.loads(output)
    assert code == 0 and found["added"] == 4 and found["owner"] == "nobody@x.org"
    assert found["left_out_by_reason"]["did not accept (PARTSTAT=DECLINED)"] == 1
    code, output = _run(db, *args)
    assert code == 0 and "left out: did not accept (PARTSTAT=DECLINED) (1)" in output


def test_cli_linkedin_takes_the_zip_as_delivered(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    archive = tmp_path / "Basic_LinkedInDataExport_08-30-2022.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in (REAL / "linkedin" / "nikhil_2022").iterdir():
            out.write(path, f"Basic_LinkedInDataExport_08-30-2022/{path.name}")
    code, output = _run(db, "linkedin", str(archive), "--output", "json")
    assert code == 0, output
    assert orjson.loads(output)["owner"].startswith("linkedin:")
    folder = tmp_path / "unzipped"
    shutil.copytree(REAL / "linkedin" / "nikhil_2022", folder)
    code, output = _run(db, "linkedin", str(folder), "--output", "json")
    assert code == 0 and orjson.loads(output)["added"] == 0  # the same export: nothing new
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not an export\n")
    code, output = _run(db, "linkedin", str(wrong))
    assert code == 1 and "notes.txt:0: not a LinkedIn export" in output
    assert len(output.strip().splitlines()) == 1
