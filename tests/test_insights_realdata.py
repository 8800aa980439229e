"""The insights on real data: a LinkedIn export, a SNAP e-mail log prefix, and the
SocioPatterns office with its departments (findings recorded in docs/insights.md)."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger.projections.depth import DepthLevel

import ledger
from ledger.facts.kinds import Kind
from ledger.insights import (
    diversity,
    givers,
    invitations,
    network_health,
    remind,
    suggest_intros,
    who,
)
from ledger.sources import import_edges, import_linkedin, import_meetings

pytestmark = pytest.mark.realdata

EXPORT = "linkedin/SStellaMary__LinkedIn-Analysis"
EXPORT_END = "2024-06-19T00:00:00Z"  # the day after its latest message: companies are as of then


@pytest.fixture
def linkedin(shared_data: Path) -> Iterator[ledger.Ledger]:
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        summary = import_linkedin(book, shared_data / EXPORT)  # the exporter becomes the owner
        assert book.owner == summary.owner
        yield book


def test_linkedin_inch_deep_share_and_fading_ties(linkedin: ledger.Ledger) -> None:
    book = linkedin
    health = network_health(book, as_of=EXPORT_END, points=4)
    assert health.size == sum(health.depth_distribution.values()) > 3_000
    assert 0.8 < health.inch_deep_share < 0.9  # most connections: no exchange at all
    assert health.talked_to_share < 0.15
    found = remind(book, as_of=EXPORT_END)
    assert found.fading, "a real inbox has ties going quiet"
    for reminder in found.fading:  # never someone touched within their rhythm
        assert reminder.days_since > reminder.rhythm_days >= 4
    for tie in found.dormant:
        assert DepthLevel[tie.depth.upper()] >= DepthLevel.TWO_WAY and tie.years_quiet >= 3
    assert [r.score for r in found.fading] == sorted((r.score for r in found.fading), reverse=True)


def test_linkedin_invitations_add_up(linkedin: ledger.Ledger) -> None:
    book = linkedin
    found = invitations(book, as_of=EXPORT_END)
    me = book.owner
    assert me is not None
    requests = [
        tp
        for tp in book.timeline(me, until=EXPORT_END)
        if tp.kind == Kind.CONNECTION_REQUESTED and not tp.retracted
    ]
    assert found.sent + found.received == len(requests) > 1_000
    assert sum(g.requests for g in found.groups) == len(requests)
    assert found.cold_share_sent is not None and found.cold_share_sent > 0.9
    assert all(0 <= (g.acceptance_rate or 0) <= 1 for g in found.groups)
    mine = givers(book, EXPORT_END, me, limit=5)
    assert me not in [row.person for row in mine]
    assert suggest_intros(book, as_of=EXPORT_END, limit=5)


def test_snap_email_prefix(shared_data: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "email-prefix.txt"
    with gzip.open(shared_data / "snap" / "email-Eu-core-temporal-Dept3.txt.gz", "rt") as lines:
        prefix.write_text("".join(line for _, line in zip(range(5_000), lines, strict=False)))
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        import_edges(book, prefix, kind="email")
        pairs = book.pairs()
        degree: dict[str, int] = {}
        for view in pairs:
            for key in (view.a, view.b):
                degree[key] = degree.get(key, 0) + 1
        me = max(sorted(degree), key=lambda key: degree[key])
        as_of = max(view.decay.last_touch_at for view in pairs)
        health = network_health(book, me, as_of, points=3)
        assert health.size == degree[me]
        found = remind(book, me, as_of)
        assert all(r.days_since > r.rhythm_days for r in found.fading)
        top = givers(book, as_of, limit=3)
        assert top[0].answers_given > 0 and top[0].given >= top[-1].given


def test_sociopatterns_strength_inside_departments(shared_data: Path) -> None:
    folder = shared_data / "sociopatterns"
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        import_meetings(
            book,
            folder / "workplace_InVS15_tij.dat.gz",
            metadata=folder / "workplace_InVS15_metadata.txt",
            start="2015-06-22",  # its times count from the recording's first midnight
        )
        end = max(view.decay.last_touch_at for view in book.pairs())
        office = diversity(book, as_of=end, everyone=True, by="org", points=1)
        assert office.relationships == len(book.pairs(end))
        assert office.inside_share is not None and 0.5 < office.inside_share < 0.95
        assert office.ei_index is not None and office.ei_index > -1
        metadata = (folder / "workplace_InVS15_metadata.txt").read_text().split()
        assert len(office.groups) == len(set(metadata[1::2]))  # every department met
        someone = office.groups[0].group
        me = next(key for key in book.people() if book.person(key).get("org") == someone)
        colleagues = who(book, me, end, knows=someone)
        assert colleagues and all(row.org == someone for row in colleagues)
