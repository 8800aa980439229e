"""Time as people live it: the display zone, and the times the options take (dates,
datetimes, ``now``, calendar periods and distances, counted in the display zone)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

import ledger
from ledger.cli._times import local_zone, parse_when, recorded_zone, zone_name
from ledger.cli.main import main
from ledger.errors import InvalidTimeError

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)  # a Sunday, the day Paris goes to summer time


def at(text: str, edge: str = "start", *, ahead: bool = False) -> datetime:
    return parse_when(text, ahead=ahead).resolve(PARIS, NOW, edge)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "edge", "expected"),
    [
        ("2024-03-01", "start", paris(2024, 3, 1)),
        ("2024-03-01", "end", paris(2024, 3, 1, 23, 59, 59, 999_999)),
        ("2024-02", "end", paris(2024, 2, 29, 23, 59, 59, 999_999)),
        ("2024-03-01T09:30", "end", paris(2024, 3, 1, 9, 30)),
        ("2024-03-01T09:30:00Z", "start", datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("@0", "start", datetime(1970, 1, 1, tzinfo=UTC)),
        ("now", "end", NOW),
        ("today", "start", paris(2024, 3, 31)),
        ("today", "end", paris(2024, 3, 31, 23, 59, 59, 999_999)),
        ("yesterday", "start", paris(2024, 3, 30)),
        ("tomorrow", "end", paris(2024, 4, 1, 23, 59, 59, 999_999)),
        ("this week", "start", paris(2024, 3, 25)),  # weeks start on Monday
        ("this week", "end", paris(2024, 3, 31, 23, 59, 59, 999_999)),
        ("last week", "start", paris(2024, 3, 18)),
        ("next-week", "start", paris(2024, 4, 1)),
        ("this month", "start", paris(2024, 3, 1)),
        ("last month", "end", paris(2024, 2, 29, 23, 59, 59, 999_999)),
        ("last year", "start", paris(2023, 1, 1)),
        ("-30d", "start", paris(2024, 3, 1, 14, 0)),  # the same wall-clock time, 30 days back
        ("30 days ago", "end", paris(2024, 3, 1, 14, 0)),
        ("2w", "start", paris(2024, 3, 17, 14, 0)),  # 14:00 again, though in winter time
        ("1m", "start", paris(2024, 2, 29, 14, 0)),  # a calendar month, clamped to its end
        ("1y", "start", paris(2023, 3, 31, 14, 0)),
        ("-12h", "start", NOW - timedelta(hours=12)),
        ("+2w", "start", paris(2024, 4, 14, 14, 0)),
        ("in 3 days", "start", paris(2024, 4, 3, 14, 0)),
    ],
)
def test_times_as_typed(text: str, edge: str, expected: datetime) -> None:
    assert at(text, edge) == expected


def test_a_distance_without_a_sign_looks_ahead_where_the_option_says() -> None:
    assert at("2w", ahead=True) == paris(2024, 4, 14, 14, 0)
    assert at("-2w", ahead=True) == paris(2024, 3, 17, 14, 0)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("soon", "not a time; use a date (2024-03-01)"),
        ("2024-02-30", "no such date"),
        ("3 parsecs", "unknown unit 'parsecs'"),
        ("+3d ago", "either ahead or ago"),
        ("9999-01-01", "between the years 1000 and 2999"),
        ("2024-13", "no such date"),
    ],
)
def test_a_bad_time_names_itself_and_what_is_accepted(text: str, words: str) -> None:
    with pytest.raises(InvalidTimeError) as error:
        at(text)
    assert words in str(error.value) and f"(got '{text}')" in str(error.value)


def test_the_local_zone_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert zone_name(local_zone()) == "Asia/Tokyo"
    monkeypatch.setenv("TZ", "Etc/UTC")
    assert zone_name(local_zone()) == "UTC"


# -- on the command line ---------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("LEDGER_TZ", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url) as book:
        for key in ("ana", "bob", "cy"):
            book.add_person(key)
        book.record("call", "ana", "bob", "2024-03-01T23:30:00Z")  # Mar 2 in Paris
        book.record("call", "bob", "ana", "2024-03-10T10:00:00Z")
        book.set_owner("ana")
    return url


def run(url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, ["--db", url, *args])


def times_shown(result: Result) -> list[str]:
    return [line.split()[1] for line in result.stdout.splitlines() if line[:3] == " 20"]


def test_the_display_zone_is_tz_then_ledger_tz_then_the_setting_then_local(db: str) -> None:
    args = ("timeline", "ana", "--limit", "1")
    assert "times in UTC" in run(db, *args).stdout  # the machine's zone (TZ=UTC)
    with ledger.open(db) as book:
        book.set_timezone("Asia/Tokyo")
    assert "times in Asia/Tokyo" in run(db, *args).stdout  # the ledger's setting
    env = {"LEDGER_TZ": "America/New_York"}
    assert "times in America/New_York" in run(db, *args, env=env).stdout
    shown = run(db, "--tz", "Europe/Paris", *args, env=env)  # --tz wins
    assert "times in Europe/Paris" in shown.stdout
    assert "2024-03-10 11:00" in shown.stdout
    after = run(db, "timeline", "ana", "--tz", "Europe/Paris")  # also after the command
    assert "2024-03-02 00:30" in after.stdout


NOT_PORTABLE = [
    "localtime",
    "posixrules",
    "right/UTC",
    "posix/Europe/Paris",
    "Factory",
    "/usr/share/zoneinfo/Europe/Paris",
    "Europe",  # a folder: zoneinfo raised IsADirectoryError
]


@pytest.mark.parametrize("zone", NOT_PORTABLE)
def test_a_zone_that_is_not_portable_is_a_one_line_usage_error(db: str, zone: str) -> None:
    for args, env in [
        (("--tz", zone, "timeline", "ana"), None),
        (("timeline", "ana"), {"LEDGER_TZ": zone}),
        (("init", "--timezone", zone), None),
    ]:
        result = run(db, *args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert f"(got '{zone}')" in result.stderr
        assert "use an IANA name such as Europe/Paris or UTC" in result.stderr
    with ledger.open(db) as book:
        assert all("timezone" not in c.changes for c in book.settings_history())


def test_a_recorded_zone_is_still_shown_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger whose time zone was recorded before names were held to be portable
    keeps working: the setting is used as recorded."""
    try:
        ZoneInfo("localtime")
    except Exception:
        pytest.skip("this machine has no zone file called localtime")
    assert recorded_zone("localtime").key == "localtime"
    with pytest.raises(InvalidTimeError, match="not a time zone"):
        recorded_zone("Mars/Olympus")


def test_a_typed_day_is_a_day_in_the_display_zone(db: str) -> None:
    def touches(*args: str) -> int:
        result = run(db, "timeline", "ana", "--format", "json", *args)
        assert result.exit_code == 0, result.stderr
        return int(json.loads(result.stdout)["total"])

    assert touches("--since", "2024-03-02", "--tz", "UTC") == 1
    assert touches("--since", "2024-03-02", "--tz", "Europe/Paris") == 2  # 00:30 on the 2nd
    assert touches("--until", "2024-03-01", "--tz", "UTC") == 1
    assert touches("--until", "2024-03-01", "--tz", "Europe/Paris") == 0
    assert touches("--since", "2024-03", "--until", "2024-03", "--tz", "UTC") == 2


def test_program_formats_give_utc_whatever_the_display_zone(db: str) -> None:
    result = run(db, "pair", "ana", "bob", "--as-of", "2024-06-01", "--tz", "Asia/Tokyo")
    assert "as of: 2024-06-01 23:59 Asia/Tokyo" in result.stdout
    document = json.loads(
        run(
            db,
            "pair",
            "ana",
            "bob",
            "--as-of",
            "2024-06-01",
            "--tz",
            "Asia/Tokyo",
            "--format",
            "json",
        ).stdout
    )
    assert document["as_of"] == "2024-06-01T14:59:59.999999+00:00"


def test_snooze_until_now_clears_and_since_takes_a_date(db: str) -> None:
    def snoozed() -> int:
        out = run(db, "remind", "--as-of", "2025-01-01", "--format", "json").stdout
        return int(json.loads(out)["snoozed"])

    done = run(db, "snooze", "bob", "--until", "2026-01-01", "--since", "2024-12-01")
    assert done.exit_code == 0 and "snoozed ana – bob until 2026-01-01 00:00" in done.stdout
    assert snoozed() == 1
    cleared = run(db, "snooze", "bob", "--until", "now")
    assert cleared.exit_code == 0, cleared.stderr
    assert "cleared the snooze of ana – bob" in cleared.stdout
    with ledger.open(db) as book:
        latest = book.snoozes()[-1]
        assert latest.since == latest.until  # one instant: since now until now
    ahead = run(db, "snooze", "bob", "--until", "2w", "--tz", "UTC")
    expected = datetime.now(UTC) + timedelta(weeks=2)
    with ledger.open(db) as book:
        assert abs(book.snoozes()[-1].until - expected) < timedelta(minutes=1)
    assert ahead.exit_code == 0
    past = run(db, "snooze", "bob", "--until", "yesterday")  # already over: it clears
    assert past.exit_code == 0 and "cleared the snooze" in past.stdout
    backwards = run(db, "snooze", "bob", "--since", "2030-01-02", "--until", "2030-01-01")
    assert backwards.exit_code == 2
    assert "is before --since" in backwards.stderr and "'--until now' clears" in backwards.stderr


def test_at_needs_an_instant(db: str) -> None:
    assert run(db, "log", "call", "--from", "ana", "--to", "cy", "--at", "-2h").exit_code == 0
    day = run(db, "log", "call", "--from", "ana", "--to", "cy", "--at", "2024-03-01")
    assert day.exit_code == 2 and "a day is not a time here" in day.stderr
