"""Before any row becomes a record: what the export says about people, and whose it is.

:func:`learn` reads every file once for names, profile URLs and e-mail addresses (so
that a name in a cell without a URL can be looked up, see :mod:`._linkedin_people`).

:func:`find_owner` decides whose export it is, in this order of trust: ``--me`` (a
name, or a profile URL or key); ``Profile.csv``; the sender of OUTGOING and the
invitee of INCOMING invitations; the person in the most conversations of
``messages.csv``. A name is turned into the owner's key through the profile URLs the
export binds it to: of several (an owner with namesakes), the one on the owner's side
of the most invitations and messages. It is never a credential fragment (recipient
cells are split by the rule of :mod:`._linkedin_people`) nor a namesake.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ledger.errors import InvalidInputError
from ledger.sources._keys import key
from ledger.sources._keys import name as clean_name
from ledger.sources._linkedin_files import ExportFiles, Sheet
from ledger.sources._linkedin_people import ANONYMOUS, People, profile_key, split_recipients
from ledger.sources._rows import ImportFileError

__all__ = ["find_owner", "learn"]


def name(value: str, field: str = "name") -> str:
    """A clean name, or "" for one the clean-text rule refuses (its reader names it)."""
    try:
        return clean_name(value, field)
    except InvalidInputError:
        return ""


def _key(people: People, who: str, url: str = "") -> str:
    try:
        return people.key(who, url)
    except InvalidInputError:
        return ""


def _rows(sheet: Sheet | None) -> Iterator[tuple[Sheet, list[str]]]:
    if sheet is not None:
        for _, row in sheet.rows():
            yield sheet, list(row)


def learn(files: ExportFiles, people: People) -> None:
    """Every (name, profile URL, e-mail) the export shows together."""
    for sheet, row in _rows(files.connections):
        full = f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}"
        people.learn(full, sheet.get(row, "URL"), sheet.get(row, "Email Address"))
    for sheet, row in _rows(files.invitations):
        people.learn(sheet.get(row, "From"), sheet.get(row, "inviterProfileUrl"))
        people.learn(sheet.get(row, "To"), sheet.get(row, "inviteeProfileUrl"))
    for sheet, row in _rows(files.endorsements):
        full = f"{sheet.get(row, 'Endorser First Name')} {sheet.get(row, 'Endorser Last Name')}"
        people.learn(full, sheet.get(row, "Endorser Public Url"))
    for sheet, row in _rows(files.recommendations):
        people.learn(f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}")
    for sheet, row in _rows(files.messages):
        people.learn(sheet.get(row, "From"), sheet.get(row, "Sender Profile Url"))
    for sheet, row in _rows(files.messages):  # second: the senders are known names now
        urls = [u for u in sheet.get(row, "Recipient Profile Urls").split(",") if u.strip()]
        cell = sheet.get(row, "To")
        names = [cell] if len(urls) == 1 else split_recipients(cell, people.known_names())
        for found, url in zip(names, urls if len(urls) == len(names) else [], strict=False):
            people.learn(found, url)


def find_owner(files: ExportFiles, people: People, me: str | None) -> tuple[str, str]:
    """The owner's key and display name (see the module docstring)."""
    sides = _invitation_sides(files)
    if me is not None and profile_key(me) is not None:
        owner = profile_key(me) or ""
        return owner, people.names.get(owner, "")
    if me is not None and me.strip().lower().startswith("linkedin:"):
        owner = key(me, "--me").lower()  # refused with the reason: the user typed it
        return owner, people.names.get(owner, "")
    owner_name = clean_name(me or "", "--me") or _profile_name(files)
    if not owner_name and sides:
        owner_name = Counter(found for found, _ in sides).most_common(1)[0][0]
    conversations = _conversations(files, people)
    if not owner_name and conversations:
        best = conversations.most_common(1)[0][0]
        owner_name = people.names.get(best, best)
    if not owner_name:
        raise ImportFileError(
            files.folder,
            0,
            "cannot tell whose export this is: no profile, invitations or messages; "
            "name the owner (owner=... / --me NAME)",
        )
    return _owner_key(owner_name, people, sides, conversations), owner_name


def _owner_key(
    owner_name: str, people: People, sides: list[tuple[str, str]], talks: Counter[str]
) -> str:
    """The profile of ``owner_name``; of several, the one on the owner's side most."""
    bound = people.bindings.get(owner_name, set())
    if not bound:
        return key(owner_name, "owner")
    votes = Counter(url for found, url in sides if found == owner_name and url in bound)
    votes.update({profile: talks[profile] for profile in bound})
    return max(sorted(bound), key=lambda profile: votes[profile])


def _profile_name(files: ExportFiles) -> str:
    for sheet, row in _rows(files.profile):
        full = name(f"{sheet.get(row, 'First Name')} {sheet.get(row, 'Last Name')}")
        if full:
            return full
    return ""


def _invitation_sides(files: ExportFiles) -> list[tuple[str, str]]:
    """(name, profile key or "") of the owner's side of every invitation."""
    sides = []
    for sheet, row in _rows(files.invitations):
        direction = sheet.get(row, "Direction").strip().upper()
        if direction not in ("OUTGOING", "INCOMING"):
            continue
        column, url = (
            ("From", "inviterProfileUrl")
            if direction == "OUTGOING"
            else ("To", "inviteeProfileUrl")
        )
        found = name(sheet.get(row, column))
        if found:
            sides.append((found, profile_key(sheet.get(row, url)) or ""))
    return sides


def _conversations(files: ExportFiles, people: People) -> Counter[str]:
    """In how many conversations each person takes part (the owner takes part in all)."""
    members: dict[str, set[str]] = {}
    for sheet, row in _rows(files.messages):
        conversation = sheet.get(row, "Conversation ID").strip() or sheet.get(row, "Subject")
        found = members.setdefault(conversation, set())
        found.add(_key(people, sheet.get(row, "From"), sheet.get(row, "Sender Profile Url")))
        urls = [u for u in sheet.get(row, "Recipient Profile Urls").split(",") if u.strip()]
        found.update(_key(people, "", url) for url in urls)
        if not urls:
            cell = sheet.get(row, "To")
            found.update(_key(people, who) for who in split_recipients(cell, people.known_names()))
    counts: Counter[str] = Counter()
    for found in members.values():
        counts.update(person for person in found if person and person.lower() != ANONYMOUS)
    return counts
