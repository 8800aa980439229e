"""A demo: a small professional network over two years, and how it stands.

Run ``python -m ledger.cli.demo`` (or ``make demo``). It records a made-up but believable
network (deterministic: seeded random) into a fresh ``demo-out/ledger.db`` in the
working directory, owned by Ana, then prints, as of two dates a year apart, the
strongest relationships, the ones fading away, the depth distribution and the
network's reciprocity; and last, commands to try on that ledger.

The data comes from :func:`record_synthetic_network`; another source (a real log) can
be added as a function of the same shape, ``(book) -> None``, and chosen in
:func:`populate` without touching the report.
"""

from __future__ import annotations

import os
import random
import shlex
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
from rich.console import Console
from rich.table import Table

import ledger
from ledger import Ledger, PairView, Touch
from ledger.cli._demo_real import show_outputs, show_real_log

__all__ = [
    "AS_OF",
    "DEMO_DB",
    "OWNER",
    "main",
    "next_commands",
    "populate",
    "record_synthetic_network",
    "report",
]

DEMO_DB = Path("demo-out") / "ledger.db"
SEED = 20240101
START = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
AS_OF = (datetime(2023, 12, 31, 23, 0, tzinfo=UTC), datetime(2024, 12, 31, 23, 0, tzinfo=UTC))
"""The two dates the report compares, a year apart."""
SOURCE = "demo"
OWNER = "ana"
"""Whose ledger the demo is ("me" in the insights)."""
TOP = 8
FADING_DROP = 0.5
"""A relationship is fading when it lost at least this share of its strength..."""
FADING_FROM = 1.0
"""... and had at least this strength to lose (a passing contact is not a friendship lost)."""

# key, name, org, title, location, tags
PEOPLE: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("ana", "Ana Ortiz", "Northwind Labs", "VP Engineering", "Lisbon", ("engineering",)),
    ("ben", "Ben Carter", "Northwind Labs", "Staff Engineer", "Lisbon", ("engineering",)),
    ("chloe", "Chloe Dubois", "Atlas Ventures", "Partner", "Paris", ("investor", "broker")),
    ("dev", "Dev Patel", "Freelance", "Product Designer", "London", ("design",)),
    ("emma", "Emma Schmidt", "Helix Bio", "CTO", "Berlin", ("biotech", "cto")),
    ("felix", "Felix Wong", "Helix Bio", "Tech Recruiter", "Berlin", ("recruiting",)),
    ("grace", "Grace Kim", "Orbit Cloud", "Product Manager", "Seoul", ("product",)),
    ("hugo", "Hugo Martin", "Atlas Ventures", "Analyst", "Paris", ("investor",)),
    ("iris", "Iris Novak", "Orbit Cloud", "Data Scientist", "Prague", ("data",)),
    ("jon", "Jon Berg", "Nordic Pay", "Founder", "Oslo", ("fintech", "founder")),
    ("kai", "Kai Tanaka", "Northwind Labs", "Engineering Intern", "Tokyo", ("engineering",)),
    ("lena", "Lena Rossi", "Studio Rossi", "Writer", "Milan", ("writing",)),
)

CHAT = ("message", "message", "email")
LIVE = ("call", "video_call", "meeting")


def day(offset: float) -> datetime:
    """``offset`` days after the demo starts (working hours, to look like a real log)."""
    return START + timedelta(days=offset)


def exchange(
    rng: random.Random,
    pair: tuple[str, str],
    span: tuple[float, float],
    mean_gap_days: float,
    kinds: tuple[str, ...] = CHAT,
    first_share: float = 0.5,
) -> Iterator[Touch]:
    """Touches between a pair at random intervals; ``first_share`` of them by pair[0]."""
    t = span[0] + rng.expovariate(1 / mean_gap_days)
    while t < span[1]:
        a, b = pair if rng.random() < first_share else pair[::-1]
        yield Touch(rng.choice(kinds), a, b, day(t))
        t += rng.expovariate(1 / mean_gap_days)


def connect(who: str, whom: str, offset: float, note: str | None = None) -> list[Touch]:
    """A connection request (personalized when it carries a note), accepted a day later."""
    return [
        Touch("connection_requested", who, whom, day(offset), note=note, personalized=bool(note)),
        Touch("connection_accepted", whom, who, day(offset + 1)),
    ]


def colleagues(rng: random.Random) -> list[Touch]:
    """Ana and Ben work together all along; Kai joins in 2024 and Ben mentors him."""
    touches = [*exchange(rng, ("ana", "ben"), (0, 729), 6)]
    touches += exchange(rng, ("ana", "ben"), (0, 729), 30, LIVE)
    touches += exchange(rng, ("ben", "kai"), (370, 729), 7, ("message", "meeting"))
    touches += exchange(rng, ("ana", "kai"), (380, 729), 40, ("email",), first_share=0.8)
    touches += exchange(rng, ("chloe", "hugo"), (0, 729), 9)
    touches += exchange(rng, ("emma", "felix"), (0, 729), 20)
    return touches


def broker(rng: random.Random) -> list[Touch]:
    """Chloe, an investor, introduces Ana to Emma and Dev; both take it from there."""
    touches = [*exchange(rng, ("ana", "chloe"), (0, 729), 90, ("video_call",))]
    touches += exchange(rng, ("chloe", "ana"), (0, 729), 25, ("email",), first_share=0.6)
    touches.append(Touch("introduction", "chloe", ["ana", "emma"], day(60), note="biotech CTO"))
    touches.append(Touch("introduction", "chloe", ["dev", "ana"], day(200), note="designer"))
    touches += exchange(rng, ("ana", "emma"), (62, 729), 12, ("email", "email", "message"))
    touches.append(Touch("video_call", "emma", "ana", day(75), duration_seconds=1800))
    touches += exchange(rng, ("dev", "ana"), (203, 729), 18)
    return touches


def favors_and_referrals() -> list[Touch]:
    """Help both ways: what makes a relationship more than talk."""
    return [
        Touch("favor", "emma", "ana", day(120), note="reviewed our data pipeline"),
        Touch("favor", "ana", "emma", day(300), note="hiring advice for her first SRE"),
        Touch("favor", "dev", "ana", day(260), note="design review of the dashboard"),
        Touch("favor", "ana", "dev", day(265), giver="counterparts", note="asked for icons"),
        Touch("referral", "ana", "dev", day(400), note="referred for the Orbit Cloud redesign"),
        Touch("recommendation", "ben", "kai", day(700), note="return offer"),
        Touch("referral", "chloe", "hugo", day(500), note="a fintech deal"),
    ]


def fading(rng: random.Random) -> list[Touch]:
    """Jon and Ana were close in 2023 (a joint project); by 2024 only a reaction."""
    touches = [*exchange(rng, ("ana", "jon"), (0, 290), 5)]
    touches += exchange(rng, ("jon", "ana"), (0, 290), 21, LIVE)
    touches.append(Touch("reaction", "ana", "jon", day(540), note="liked his launch post"))
    return touches


def shallow(rng: random.Random) -> list[Touch]:
    """One-way contacts, connections nobody followed up, and a new acquaintance."""
    touches = [*exchange(rng, ("felix", "ana"), (30, 700), 45, ("message",), 1.0)]
    touches += exchange(rng, ("felix", "ben"), (100, 600), 60, ("message",), 1.0)
    touches += exchange(rng, ("ana", "lena"), (150, 400), 50, ("email",), 1.0)
    touches += connect("iris", "ana", 210)  # bare request, accepted, never a word: inch deep
    touches += connect("hugo", "kai", 420)
    touches += connect("ana", "grace", 130, note="Loved your talk on cloud pricing")
    touches += exchange(rng, ("ana", "grace"), (132, 729), 28)
    touches.append(Touch("call", "grace", "ana", day(160), duration_seconds=2400))
    touches.append(Touch("connection_requested", "felix", "kai", day(600)))
    return touches


def synthetic_touches(seed: int = SEED) -> list[Touch]:
    """The whole made-up network, in time order, each with a stable source_ref."""
    rng = random.Random(seed)
    touches = [
        *colleagues(rng),
        *broker(rng),
        *favors_and_referrals(),
        *fading(rng),
        *shallow(rng),
    ]
    touches.sort(key=lambda touch: (touch.occurred_at, touch.initiator))
    # Stable references make the demo's facts idempotent, like any imported log.
    return [
        attrs.evolve(touch, source=SOURCE, source_ref=f"demo-{n:04d}")
        for n, touch in enumerate(touches)
    ]


def add_people(book: Ledger) -> None:
    for key, name, org, title, location, tags in PEOPLE:
        book.add_person(key, name, org=org, title=title, location=location, tags=list(tags))
    # Kai's internship turned into a job: attributes change over time.
    book.update_person("kai", since=day(705), title="Software Engineer")


def record_mistake_and_retract(book: Ledger) -> None:
    """A meeting logged with the wrong person, then withdrawn: the log keeps both facts."""
    wrong = book.record(
        "meeting",
        "ana",
        "lena",
        day(333),
        note="planning offsite",
        source=SOURCE,
        source_ref="demo-mistake",
    )
    book.retract(wrong, "logged with the wrong person: the offsite was with Ben")


def record_synthetic_network(book: Ledger) -> None:
    """Record the made-up network: people, a few hundred touchpoints, one retraction,
    and whose ledger it is."""
    add_people(book)
    book.record_many(synthetic_touches())
    record_mistake_and_retract(book)
    book.set_owner(OWNER, actor="demo")


def populate(book: Ledger) -> str:
    """Fill the ledger; returns a description of where the data came from."""
    record_synthetic_network(book)
    return f"a synthetic network (seed {SEED})"


def fresh_ledger(path: Path) -> Ledger:
    """An empty SQLite ledger at ``path``, replacing any earlier demo."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    return ledger.open(f"sqlite:///{path}")


# -- the report ------------------------------------------------------------------------


def names(book: Ledger) -> dict[str, str]:
    return {key: book.person(key).name for key in book.people()}


def pair_label(view: PairView, who: dict[str, str]) -> str:
    a, b = sorted((view.a, view.b), key=lambda key: who[key])
    return f"{who[a]} – {who[b]}"


def opened(view: PairView, who: dict[str, str]) -> tuple[int, int, float]:
    """What each side opened, and the balance, in the order :func:`pair_label` names them."""
    value = view.reciprocity
    if who[view.a] <= who[view.b]:
        return value.a_to_b, value.b_to_a, value.balance
    return value.b_to_a, value.a_to_b, -value.balance


def strongest_table(book: Ledger, as_of: datetime, who: dict[str, str]) -> Table:
    table = Table(title=f"Strongest relationships as of {as_of:%Y-%m-%d}")
    for column in ("relationship", "strength", "depth", "a→b", "b→a", "balance", "days idle"):
        table.add_column(column, justify="left" if column in ("relationship", "depth") else "right")
    for view in book.pairs(as_of)[:TOP]:
        forth, back, balance = opened(view, who)
        table.add_row(
            pair_label(view, who),
            f"{view.strength:.2f}",
            view.depth.level_name,
            str(forth),
            str(back),
            f"{balance:+.2f}",
            f"{view.decay.days_since_last_touch:.0f}",
        )
    return table


def fading_pairs(book: Ledger, before: datetime, after: datetime) -> list[tuple[PairView, float]]:
    """Pairs that lost at least FADING_DROP of their strength, with their later strength."""
    later = {(v.a, v.b): v.strength for v in book.pairs(after)}
    found = [
        (view, later.get((view.a, view.b), 0.0))
        for view in book.pairs(before)
        if view.strength >= FADING_FROM
        and later.get((view.a, view.b), 0.0) <= view.strength * FADING_DROP
    ]
    found.sort(key=lambda item: item[1] - item[0].strength)
    return found


def fading_table(book: Ledger, before: datetime, after: datetime, who: dict[str, str]) -> Table:
    table = Table(title=f"Fading: strength {before:%Y-%m-%d} → {after:%Y-%m-%d}")
    for column in ("relationship", "then", "now", "change", "last touch"):
        table.add_column(column, justify="left" if column == "relationship" else "right")
    for view, now in fading_pairs(book, before, after)[:TOP]:
        last = book.pair(view.a, view.b, after)
        last_touch = "" if last is None else f"{last.decay.days_since_last_touch:.0f} days ago"
        change = (now - view.strength) / view.strength
        table.add_row(
            pair_label(view, who), f"{view.strength:.2f}", f"{now:.2f}", f"{change:.0%}", last_touch
        )
    return table


def depth_table(book: Ledger, dates: tuple[datetime, ...]) -> Table:
    networks = [book.network(as_of) for as_of in dates]
    table = Table(title="Depth distribution (pairs per level)")
    table.add_column("depth")
    for as_of in dates:
        table.add_column(f"{as_of:%Y-%m-%d}", justify="right")
    for level in networks[0].depth_distribution:
        table.add_row(level, *(str(n.depth_distribution[level]) for n in networks))
    table.add_row("pairs", *(str(n.pairs) for n in networks), end_section=True)
    table.add_row("inch-deep share", *(f"{n.inch_deep_share:.0%}" for n in networks))
    table.add_row("one-way share", *(f"{n.one_way_share:.0%}" for n in networks))
    table.add_row(
        "reciprocity coefficient",
        *(
            "n/a" if n.reciprocity_coefficient is None else f"{n.reciprocity_coefficient:+.2f}"
            for n in networks
        ),
    )
    return table


def report(book: Ledger, console: Console, dates: tuple[datetime, ...] = AS_OF) -> None:
    """Print what a user would want to see about their network at each date."""
    who = names(book)
    for as_of in dates:
        console.print(strongest_table(book, as_of, who))
    console.print(fading_table(book, dates[0], dates[-1], who))
    console.print(depth_table(book, dates))
    console.print(
        "Reciprocity coefficient (Garlaschelli & Loffredo): above 0, contacts are "
        "returned more often than chance."
    )


def summary_line(book: Ledger, origin: str) -> str:
    touchpoints = {tp.touchpoint_id: tp for key in book.people() for tp in book.timeline(key)}
    retracted = sum(tp.retracted for tp in touchpoints.values())
    return (
        f"Recorded {origin}: {len(book.people())} people, {len(touchpoints)} touchpoints "
        f"({retracted} retracted) into {DEMO_DB}, owned by {book.owner}"
    )


def ledger_command() -> str:
    """How to run ``ledger`` from here: ``ledger`` when the PATH finds this one (after
    ``make install``), else the script beside this Python (a venv's)."""
    script = Path(sys.executable).with_name("ledger")
    found = shutil.which("ledger")
    if not script.is_file() or (found and Path(found).resolve() == script.resolve()):
        return "ledger"
    shown = os.path.relpath(script) if script.is_relative_to(Path.cwd()) else str(script)
    return shlex.quote(shown)


def next_commands(db: Path = DEMO_DB, as_of: datetime = AS_OF[-1]) -> list[str]:
    """Commands to try on the demo ledger, in the order of a first look (each works
    against it as written; ``tests/test_demo.py`` runs every one)."""
    run = f"{ledger_command()} --db {shlex.quote(f'sqlite:///{db}')}"
    day = f"--as-of {as_of:%Y-%m-%d}"
    out = db.parent
    return [
        f"{run} owner",
        f"{run} network {day}",
        f"{run} remind {day}",
        f"{run} suggest-intros {day}",
        f"{run} intros --met emma {day}",
        f"{run} pair ana jon {day} --explain",
        f"{run} show {OWNER} {day} --limit 5",
        f"{run} timeline ana lena",
        f"{run} plot graph {day} -o {shlex.quote(str(out / 'ana-graph.png'))}",
        f"{run} plot depth -o {shlex.quote(str(out / 'ana-depth.png'))}",
        f"{run} export decay {day} --half-life 30 --format jsonl",
        f"{run} settings",
    ]


def main() -> int:
    console = Console(width=110)
    with fresh_ledger(DEMO_DB) as book:
        origin = populate(book)
        console.print(summary_line(book, origin))
        report(book, console)
        show_outputs(book, console, DEMO_DB.with_name("synthetic"), (START, AS_OF[-1]))
    if not show_real_log(console, DEMO_DB.parent, fresh_ledger, report):
        console.print("No ../shared/data here: the synthetic network above is the whole demo.")
    console.print(f'\nNext, ask the demo ledger yourself (it is {OWNER}\'s: "me" below is Ana):')
    for command in next_commands():
        console.print(f"  $ {command}", markup=False, highlight=False, soft_wrap=True)
    serve = f"{ledger_command()} --db {shlex.quote(f'sqlite:///{DEMO_DB}')} serve"
    console.print(  # not a "  $ " line: it serves until stopped
        f"\nOr look at it in a browser (it prints the address; Ctrl-C stops it): {serve}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if ledger_command() != "ledger":
        console.print(
            "(To type just `ledger`: `make install`, or `source .venv/bin/activate`.)",
            markup=False,
            highlight=False,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
