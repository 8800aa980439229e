"""One human, many identifiers: normalisation, resolution, merges and unmerges.

See ``ledger.facts.identifiers`` (kinds and normalisation) and ``docs/design.md``
(identity): the first person to claim an identifier keeps it, a participant key is
found by key or by the address, phone or URL it is, and merges are facts that every
view, export and insight follows for every time asked about.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ledger
from ledger.errors import ForgottenPersonError
from ledger.facts import identifiers
from ledger.insights import givers, network_health, remind


def _book() -> ledger.Ledger:
    return ledger.open(f"memory://{uuid.uuid4().hex}")


def test_identify_claims_identifiers_of_a_person_registered_before() -> None:
    """A second address given to someone registered earlier resolves to them (it used to
    be sealed on their card but never indexed when the unit of work registered no one)."""
    with _book() as book:
        book.add_person("ann", "Ann Lee")
        assert (
            book.identify("ann", [("email", "Ann@Example.org"), ("phone", "+1 212 555 0100")]) == 2
        )
        book.add_person("bob")
        book.record("email", "ann@example.org", ["bob"], "2024-01-01T00:00:00Z")
        book.record("call", "+12125550100", ["bob"], "2024-01-02T00:00:00Z")
        assert book.people() == ["ann", "bob"]
        assert book.pair("ann", "bob").decay.touches == 2
        assert book.person("ann@example.org").key == "ann"


# -- normalisation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Jane.Doe+news@Gmail.com", "janedoe@gmail.com"),  # Gmail ignores dots and tags
        ("j.a.n.e.doe@googlemail.com", "janedoe@gmail.com"),  # the same mailbox
        ("Jane.Doe+x@outlook.com", "jane.doe@outlook.com"),  # tags only
        ("jane.doe+x@icloud.com", "jane.doe@icloud.com"),
        ("jane.doe+x@proton.me", "jane.doe@proton.me"),
        ("Jane.Doe+x@example.org", "jane.doe+x@example.org"),  # elsewhere both matter
        ("jane.doe@EXAMPLE.org", "jane.doe@example.org"),
        ("janedoe@example.org", "janedoe@example.org"),  # ... so these are two
        ("  jane@example.org ", "jane@example.org"),
    ],
)
def test_email_normalised_by_the_providers_rules(given: str, expected: str) -> None:
    assert identifiers.normalise("email", given) == expected


def test_dots_differ_outside_providers_that_ignore_them() -> None:
    assert identifiers.email("jane.doe@example.org") != identifiers.email("janedoe@example.org")


@pytest.mark.parametrize(
    ("given", "region", "expected"),
    [
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(212) 555-0100", "US", "+12125550100"),
        ("+1-212-555-0100", "FR", "+12125550100"),  # a +country wins over the region
        ("06 12 34 56 78", "fr", "+33612345678"),
    ],
)
def test_phones_are_e164_with_a_default_region(
    given: str, region: str | None, expected: str
) -> None:
    assert identifiers.normalise("phone", given, region=region) == expected


@pytest.mark.parametrize("bad", ["020 7946 0958", "12", "not a number"])
def test_a_phone_without_country_or_region_is_refused(bad: str) -> None:
    with pytest.raises(ledger.InvalidInputError, match="phone"):
        identifiers.phone(bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://uk.linkedin.com/in/Jane-Doe/?trk=x#top", "linkedin.com/in/jane-doe"),
        ("http://www.linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("linkedin.com/in/jos%C3%A9", "linkedin.com/in/josé"),
        ("https://github.com/JDoe/", "github.com/jdoe"),
    ],
)
def test_urls_normalised(given: str, expected: str) -> None:
    assert identifiers.normalise("url", given) == expected


def test_handles_are_platform_and_handle_in_lower_case() -> None:
    assert identifiers.normalise("handle", "Telegram:@JDoe") == "telegram:@jdoe"
    with pytest.raises(ledger.InvalidInputError, match="platform:handle"):
        identifiers.normalise("handle", "@jdoe")


def test_unknown_kinds_and_bad_addresses_are_refused() -> None:
    with pytest.raises(ledger.InvalidInputError, match="unknown kind"):
        identifiers.normalise("fax", "1")
    with pytest.raises(ledger.InvalidInputError, match="not an e-mail address"):
        identifiers.email("jane@")


# -- one identifier, one person -----------------------------------------------------------
def test_the_first_claimer_keeps_an_identifier() -> None:
    with _book() as book:
        book.add_person("ann", "Ann Lee", identifiers=[("email", "ann@example.org")])
        book.add_person("ann2", "Ann Lee", identifiers=[("email", "ANN@example.org")])
        book.add_person("bob")
        book.record("email", "ann@example.org", ["bob"], "2024-01-01T00:00:00Z")
        assert book.pair("ann", "bob") is not None
        assert book.pair("ann2", "bob") is None
        assert book.person("ann@example.org").key == "ann"
        # the second card still lists it: that is how a likely duplicate is seen
        assert ("email", "ann@example.org") in book.person("ann2").identifiers
        # identify never moves an identifier another person holds
        assert book.identify("ann2", [("email", "ann@example.org")]) == 0
        assert book.person("ann@example.org").key == "ann"


def test_a_key_that_is_an_address_resolves_to_its_holder() -> None:
    with _book() as book:
        book.add_person(
            "ann", identifiers=[("email", "Ann.Lee@gmail.com"), ("phone", "+12125550100")]
        )
        book.record_many(
            [
                ledger.Touch(
                    "email", "annlee+x@googlemail.com", ["bob@example.org"], "2024-01-01T00:00:00Z"
                ),
                ledger.Touch(
                    "call", "+1 212 555 0100", ["bob@example.org"], "2024-01-02T00:00:00Z"
                ),
            ],
            create_people=True,
        )
        assert book.people() == ["ann", "bob@example.org"]
        assert book.pair("ann", "bob@example.org").decay.touches == 2


@pytest.mark.parametrize(
    ("first", "second", "kind", "value"),
    [
        ("Jane@X.org", "jane@x.org", "email", "jane@x.org"),
        ("jane@x.org", "JANE@X.ORG", "email", "jane@x.org"),
        ("john.doe@gmail.com", "JohnDoe@googlemail.com", "email", "johndoe@gmail.com"),
        ("+1 212 555 0100", "+12125550100", "phone", "+12125550100"),
        ("telegram:User1", "telegram:user1", "handle", "telegram:user1"),
        ("https://www.linkedin.com/in/Jane-Doe/", "linkedin.com/in/jane-doe", "url", None),
    ],
)
def test_one_identifier_written_two_ways_as_keys_is_one_person(
    first: str, second: str, kind: str, value: str | None
) -> None:
    """A person created by a touch under a key that is an identifier claims that
    identifier, normalised: the same address in another case (or a phone in another
    layout, a handle in another case) from a later source is them, not a second person
    (each writing used to be a person of its own)."""
    with _book() as book:
        book.record_many(
            [ledger.Touch("email", first, ["bob"], "2024-01-01T00:00:00Z")], create_people=True
        )
        book.record_many(
            [ledger.Touch("email", second, ["bob"], "2024-01-02T00:00:00Z")], create_people=True
        )
        assert book.people() == sorted([first, "bob"])
        assert book.pair(first, "bob").decay.touches == 2
        assert book.person(second).key == first
        card = book.person(first).identifiers
        assert (kind, value or identifiers.profile_url(second)) in card


def test_calendar_and_mail_name_one_person_by_one_address(tmp_path: Path) -> None:
    """The calendar keys attendees by the address as written (lower-cased), the mail
    importer by the normalised address (Gmail's dots dropped): both are one person."""
    from ledger.sources import import_ics, import_mail

    ics = tmp_path / "cal.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@test\r\n"
        "DTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\n"
        "ORGANIZER:mailto:me@example.org\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:John.Doe@Gmail.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    mbox = tmp_path / "mail.mbox"
    mbox.write_text(
        "From johndoe@gmail.com Tue Jan 02 10:00:00 2024\n"
        "From: John Doe <johndoe@gmail.com>\nTo: me@example.org\n"
        "Date: Tue, 02 Jan 2024 10:00:00 +0000\nMessage-ID: <1@x>\nSubject: hi\n\nhello\n"
    )
    with _book() as book:
        import_ics(book, ics, me="me@example.org")
        import_mail(book, mbox, me="me@example.org")
        assert sorted(book.people()) == ["john.doe@gmail.com", "me@example.org"]
        assert book.pair("me@example.org", "john.doe@gmail.com").decay.touches == 2


def _register_in_process(url: str, key: str) -> None:
    with ledger.open(url) as book:
        book.add_person(key, identifiers=[("email", "shared@example.org")])


def test_concurrent_registrations_from_two_processes_give_one_holder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url):
        pass
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_register_in_process, args=(url, key)) for key in ("p1", "p2")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with ledger.open(url) as book:
        holder = book.person("shared@example.org").key
        assert holder in ("p1", "p2")
        book.add_person("bob")
        for _ in range(3):
            book.record("email", "shared@example.org", ["bob"], "2024-01-01T00:00:00Z")
        assert book.pair(holder, "bob").decay.touches == 3
        other = "p2" if holder == "p1" else "p1"
        assert book.pair(other, "bob") is None
        assert book.audit().ok


# -- merges -------------------------------------------------------------------------------
def test_merge_right_after_registering() -> None:
    """The views are caught up before the two are looked up (they used to be looked up
    first, so people registered since the last read were unknown to merge)."""
    with _book() as book:
        book.add_person("ann")
        book.add_person("ann2")
        book.merge("ann", "ann2", "the same human")
        assert book.people() == ["ann"]
        assert book.person("ann2").key == "ann"


def test_touches_between_people_merged_into_one_touch_no_pair() -> None:
    """A message from one of someone's addresses to another is a note to oneself once
    they are merged: no self-pair (there used to be an ``ann``-``ann`` row), and a group
    touch counts them once (a three-person meeting of ann, ann2 and bob is ann and bob)."""
    with _book() as book, _book() as reference:
        for key in ("ann", "ann2", "bob", "cat"):
            book.add_person(key)
        for key in ("ann", "bob", "cat"):
            reference.add_person(key)
        book.record("email", "ann", ["ann2"], "2024-01-01T00:00:00Z")
        book.record("meeting", "ann2", ["ann", "bob"], "2024-01-02T00:00:00Z")
        book.record("email", "ann2", ["bob", "cat"], "2024-01-03T00:00:00Z")
        book.merge("ann", "ann2", "one human")
        reference.record("meeting", "ann", ["bob"], "2024-01-02T00:00:00Z")
        reference.record("email", "ann", ["bob", "cat"], "2024-01-03T00:00:00Z")
        _same_tables(
            book.pair_table("2024-02-01T00:00:00Z"), reference.pair_table("2024-02-01T00:00:00Z")
        )


def test_verify_and_audit_are_clean_after_merges_and_unmerges() -> None:
    """verify replays in the two passes a rebuild makes (it used to replay in one, so
    a merge recorded after the touches it re-attributes showed as 12 differences)."""
    with _book() as book:
        for key in ("ann", "ann2", "bob"):
            book.add_person(key)
        book.record("email", "ann2", ["bob"], "2024-01-03T00:00:00Z")
        book.merge("ann", "ann2", "one human")
        assert book.verify() == []
        assert book.audit().ok
        book.record("email", "bob", ["ann2"], "2024-01-04T00:00:00Z")
        book.unmerge("ann2", "two humans after all")
        assert book.verify() == []
        assert book.audit().ok
        book.merge("ann2", "ann", "one human after all")
        assert book.verify() == []
        assert book.audit().ok


def _close(got: Any, expected: Any) -> None:
    """Equal, floats to 1e-9 (sums taken in another order differ in the last bit)."""
    if attrs.has(type(expected)):
        got, expected = attrs.asdict(got), attrs.asdict(expected)
    if isinstance(expected, dict):
        assert sorted(got) == sorted(expected)
        for name, value in expected.items():
            _close(got[name], value)
    elif isinstance(expected, list | tuple):
        assert len(got) == len(expected)
        for mine, theirs in zip(got, expected, strict=True):
            _close(mine, theirs)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    else:
        assert got == expected


def _same_tables(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert sorted(got) == sorted(expected)
    for column, right in expected.items():
        left = got[column]
        if left.dtype.kind == "f":
            np.testing.assert_allclose(left, right, rtol=1e-9, atol=1e-12, err_msg=column)
        else:
            np.testing.assert_array_equal(left, right, err_msg=column)


@pytest.mark.parametrize("asked", ["ann", "ann2", "ann2@example.org"])
def test_forgetting_a_merged_person_forgets_the_whole_group(asked: str) -> None:
    """Asked by any of their keys or addresses; it used to forget only the person the
    group was merged into, and bring the others back as people of their own."""
    with _book() as book:
        book.add_person("ann", "Ann Lee", identifiers=[("email", "ann@example.org")])
        book.add_person("ann2", "Ann Lee", identifiers=[("email", "ann2@example.org")])
        for key in ("bob", "cat"):
            book.add_person(key)
        book.set_owner("ann2")
        book.record("meeting", "ann", ["bob", "cat"], "2024-01-01T00:00:00Z")
        book.record("email", "ann2", ["bob"], "2024-01-02T00:00:00Z")
        book.merge("ann", "ann2", "one human")
        book.forget(asked, "request 17")
        assert book.people() == ["bob", "cat"]
        for gone in ("ann", "ann2", "ann@example.org", "ann2@example.org"):
            with pytest.raises(ledger.UnknownPersonError):
                book.person(gone)
        table = book.pair_table("2024-02-01T00:00:00Z")
        assert (list(table["a"]), list(table["b"])) == (["bob"], ["cat"])
        assert book.owner is None
        with pytest.raises(ForgottenPersonError):
            book.record_many(
                [ledger.Touch("email", "ann2@example.org", ["bob"], "2024-03-01T00:00:00Z")],
                create_people=True,
            )
        assert book.verify() == []
        assert book.audit().ok


# -- the property: merged people are one key from the start --------------------------------
HUMANS = {
    "ann": ("ann", "ann.w"),
    "bob": ("bob", "bob.w", "bob.m"),
    "cat": ("cat",),
    "dan": ("dan", "dan.w"),
}
ALIASES = [alias for aliases in HUMANS.values() for alias in aliases]
HUMAN_OF = {alias: human for human, aliases in HUMANS.items() for alias in aliases}
KINDS = ["message", "email", "call", "meeting", "favor", "connection_accepted"]
START = datetime(2022, 1, 1, tzinfo=UTC)
TIMES = [START + timedelta(days=d) for d in (30, 200, 500)]


@st.composite
def _touch(draw: st.DrawFn) -> ledger.Touch:
    initiator = draw(st.sampled_from(ALIASES))
    others = [h for h in HUMANS if h != HUMAN_OF[initiator]]
    humans = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    counterparts = [draw(st.sampled_from(HUMANS[h])) for h in humans]
    moment = START + timedelta(hours=draw(st.integers(0, 600 * 24)) // 6 * 6)
    return ledger.Touch(draw(st.sampled_from(KINDS)), initiator, counterparts, moment)


@st.composite
def _history(draw: st.DrawFn) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 6))):
        steps.append(("touches", draw(st.lists(_touch(), min_size=1, max_size=8))))
        for _ in range(draw(st.integers(0, 2))):
            human = draw(st.sampled_from([h for h, a in HUMANS.items() if len(a) > 1]))
            into, other = draw(st.permutations(HUMANS[human]))[:2]
            steps.append(("merge", (into, other)))
        if draw(st.booleans()):
            steps.append(("unmerge", draw(st.sampled_from(ALIASES))))
    return steps


def _apply(book: ledger.Ledger, steps: list[tuple[str, Any]]) -> None:
    for what, value in steps:
        if what == "touches":
            book.record_many(value)
        elif what == "merge":
            with contextlib.suppress(ledger.InvalidInputError):  # one person already
                book.merge(*value, reason="one human")
        else:
            with contextlib.suppress(ledger.InvalidInputError):  # was not merged
                book.unmerge(value, reason="two humans")


def _canonical(book: ledger.Ledger) -> dict[str, str]:
    """Each alias's key after the merges in force (an independent union-find)."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while key in parent:
            key = parent[key]
        return key

    for merge in book.merges():
        if not merge.undone:
            into, other = root(merge.into_id), root(merge.other_id)
            if into != other:
                parent[other] = into
    own = {alias: book._own(alias) for alias in ALIASES}  # each alias's own person id
    by_id = {person: alias for alias, person in own.items()}
    return {alias: by_id[root(own[alias])] for alias in ALIASES}


def _mapped(touch: ledger.Touch, key: dict[str, str]) -> ledger.Touch:
    people = list(dict.fromkeys(key[p] for p in touch.people))
    return ledger.Touch(touch.kind, people[0], people[1:], touch.occurred_at)


def _timeline(book: ledger.Ledger, key: str) -> list[tuple[Any, ...]]:
    return sorted(
        (
            t.occurred_at,
            t.kind.value if hasattr(t.kind, "value") else t.kind,
            t.initiator,
            tuple(sorted(t.counterparts)),
        )
        for t in book.timeline(key)
    )


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(_history())
def test_merged_people_are_one_key_from_the_start(steps: list[tuple[str, Any]]) -> None:
    with _book() as book, _book() as reference, _book() as never:
        for alias in ALIASES:
            book.add_person(alias, f"Name of {alias}")
            never.add_person(alias, f"Name of {alias}")
        book.set_owner("ann")
        _apply(book, steps)
        key = _canonical(book)
        for alias in ALIASES:
            assert book.person(alias).key == key[alias]
        for alias in sorted(set(key.values())):
            reference.add_person(alias, f"Name of {alias}")
        reference.set_owner(key["ann"])
        touches = [t for what, value in steps if what == "touches" for t in value]
        reference.record_many([_mapped(t, key) for t in touches])
        never.record_many(touches)
        for moment in TIMES:
            _same_tables(book.pair_table(moment), reference.pair_table(moment))
        for alias in sorted(set(key.values())):
            assert _timeline(book, alias) == _timeline(reference, alias)
        end = TIMES[-1]
        for insight in (network_health, remind, givers):
            _close(insight(book, as_of=end), insight(reference, as_of=end))
        assert book.verify() == []
        # Undo every merge still in force: the views are as if none had been made.
        for alias in ALIASES:
            with contextlib.suppress(ledger.InvalidInputError):
                while True:
                    book.unmerge(alias, reason="two humans")
        for moment in TIMES:
            _same_tables(book.pair_table(moment), never.pair_table(moment))
        for alias in ALIASES:
            mine, theirs = book.person(alias, end), never.person(alias, end)
            assert (mine.key, mine.name, mine.attributes, mine.aliases) == (
                theirs.key,
                theirs.name,
                theirs.attributes,
                theirs.aliases,
            )
            assert _timeline(book, alias) == _timeline(never, alias)
        assert book.verify() == []


def test_merge_and_unmerge_reasons_are_sealed() -> None:
    """The reason of an unmerge is sealed under the two people's keys as a merge's is
    (it used to be stored as plain text in the event)."""
    with _book() as book:
        book.add_person("ann")
        book.add_person("ann2")
        book.merge("ann", "ann2", "merge-reason-1")
        book.unmerge("ann2", "unmerge-reason-2")
        app = book._store.app
        reasons = [
            app.mapper.to_domain_event(item).reason
            for item in app.notification_log.select(1, 10)
            if item.topic.endswith(("Merges.Recorded", "Unmerges.Recorded"))
        ]
        assert len(reasons) == 2
        assert not any("reason" in text for text in reasons)
        assert book.verify() == []


def test_identity_on_every_storage(book: ledger.Ledger) -> None:
    """Claims, resolution, merges, unmerges and forgetting, on memory, a SQLite file
    and PostgreSQL (the ``book`` fixture)."""
    book.add_person("ann", "Ann Lee", identifiers=[("email", "ann@example.org")])
    book.add_person("ann2", "Ann Lee", identifiers=[("email", "ann@example.org")])
    book.add_person("bob")
    book.identify("ann2", [("phone", "+12125550100")])
    book.record("email", "ann@example.org", ["bob"], "2024-01-01T00:00:00Z")
    book.record("call", "+1 212 555 0100", ["bob"], "2024-01-02T00:00:00Z")
    assert book.pair("ann", "bob").decay.touches == 1
    book.merge("ann", "ann2", "one human")
    assert book.pair("ann", "bob").decay.touches == 2
    assert book.person("+12125550100").key == "ann"
    assert book.verify() == [] and book.audit().ok
    book.unmerge("ann2", "two")
    assert book.pair("ann2", "bob").decay.touches == 1
    book.merge("ann", "ann2", "one after all")
    book.forget("ann2", "request 1")
    assert book.people() == ["bob"]
    assert book.verify() == [] and book.audit().ok
