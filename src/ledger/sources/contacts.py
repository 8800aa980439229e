"""Address books: vCard 2.1, 3.0 and 4.0 (``.vcf``) and Google, Outlook and Thunderbird
contacts CSV.

A card is one human: it becomes ONE person with every identifier it lists (each e-mail
address, each phone, each profile or web URL), their name, and their organisation and
title as attributes **as of the export** (``as_of``; else the latest ``REV`` of the
file's cards; else the file's modification time, reported as the summary's source
date). That is how an address book seeds identity resolution: later mail from any of
a card's addresses, or a chat from its phone, is that person.

* **Keys.** The card's first e-mail address (normalised, as the mail importer keys
  people), else its first phone (E.164), else its first URL, else its name. A card whose
  key already names someone (an earlier import, a card of the same person) gives them
  the identifiers new to their card: an address another person holds stays theirs (a
  certain duplicate: ``ledger person duplicates``).
* **Phones** are read in ``region`` when they have no ``+country`` (without one they are
  left out and counted); values that are no number (``phone work``) are left out.
* **Rows** are cards: ``added`` counts cards that told the ledger something new (a
  person, an identifier, an attribute), ``ignored`` the others; a card with no name and
  no identifier is skipped.

vCards are read with ``vobject`` (quoted-printable and charsets of 2.1 included), CSV
columns are found by their names in the three exports' headers.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from ledger.api import Ledger
from ledger.errors import InvalidInputError, UnknownPersonError, quote
from ledger.facts.identifiers import email, phone, profile_url
from ledger.sources import _write
from ledger.sources._keys import name as clean_name
from ledger.sources._rows import ImportFileError, Progress, decode, parse_csv, read_bytes
from ledger.sources._summary import ImportSummary, Tally, summarize

__all__ = ["CONTACTS_SOURCE", "Card", "import_contacts", "read_cards"]

CONTACTS_SOURCE = "contacts"
_EMPTY = ("", "null", "n/a", "na", "none")


@attrs.frozen
class Card:
    """One contact as read: its line, names, identifiers (normalised), org, title, REV."""

    line: int
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    org: str | None = None
    title: str | None = None
    revised: datetime | None = None

    @property
    def identifiers(self) -> tuple[tuple[str, str], ...]:
        return (
            *(("email", e) for e in self.emails),
            *(("phone", p) for p in self.phones),
            *(("url", u) for u in self.urls),
        )

    @property
    def key(self) -> str | None:
        for values in (self.emails, self.phones, self.urls):
            if values:
                return values[0]
        return self.name or None


def import_contacts(
    book: Ledger,
    path: str | Path,
    *,
    as_of: datetime | str | None = None,
    region: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import an address book (.vcf or contacts .csv); all of it or, on an error, none."""
    tally = Tally(skip_invalid)
    cards = read_cards(path, tally, region)
    when = _export_time(path, cards, as_of)
    people: dict[str, _write.Person] = {}
    changes = []
    for card in cards:
        tally.rows_read += 1
        key = card.key
        if key is None:
            tally.ignorable("a card with no name, address, phone or URL")
            continue
        if key in people:  # two cards of one person: their identifiers together
            before = people[key]
            pairs = tuple(dict.fromkeys((*before.identifiers, *card.identifiers)))
            people[key] = attrs.evolve(before, identifiers=pairs)
        else:
            people[key] = _write.Person(key, card.name or None, identifiers=card.identifiers)
        values = {f: v for f, v in (("org", card.org), ("title", card.title)) if v}
        if values:
            changes.append(_write.Change(key, when, values))
    new = _cards_with_news(book, list(people.values()), changes)
    listed = [c for c in cards if c.key is not None]
    tally.ignored += sum(1 for c in listed if c.key not in new)
    written = _write.write(
        book, [], people=list(people.values()), changes=changes, allow_forgotten=allow_forgotten
    )
    added = sum(1 for c in listed if c.key in new)
    return summarize(CONTACTS_SOURCE, tally, attrs.evolve(written, added=added))


def _cards_with_news(
    book: Ledger, people: Sequence[_write.Person], changes: Sequence[_write.Change]
) -> set[str]:
    """The keys whose cards tell the ledger something: a new person, a new identifier, an
    attribute not in force at the export's time."""
    news: set[str] = set()
    wanted = {c.key: c for c in changes}
    for person in people:
        try:
            view = book.person(
                person.key, as_of=wanted[person.key].since if person.key in wanted else None
            )
        except UnknownPersonError:
            news.add(person.key)
            continue
        if set(person.identifiers) - set(view.identifiers):
            news.add(person.key)
        change = wanted.get(person.key)
        if change is not None and any(view.get(f) != v for f, v in change.attributes.items()):
            news.add(person.key)
    return news


def _export_time(path: str | Path, cards: Sequence[Card], as_of: datetime | str | None) -> datetime:
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    if isinstance(as_of, str):
        text = as_of.strip()
        try:
            moment = datetime.fromisoformat(text if len(text) > 10 else f"{text}T00:00:00")
        except ValueError:
            raise ImportFileError(path, 0, f"--as-of is not a date: {quote(as_of)}") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    revised = [c.revised for c in cards if c.revised is not None]
    if revised:
        return max(revised)
    return datetime.fromtimestamp(os.stat(path).st_mtime, UTC).replace(microsecond=0)


# -- reading -----------------------------------------------------------------------------
def read_cards(path: str | Path, tally: Tally, region: str | None = None) -> list[Card]:
    """Every card of a .vcf or contacts .csv file."""
    text = decode(read_bytes(path), path)
    if text.lstrip().upper().startswith("BEGIN:VCARD"):
        return list(_vcards(path, text, tally, region))
    return list(_csv_cards(path, text, tally, region))


def _vcards(path: str | Path, text: str, tally: Tally, region: str | None) -> Iterator[Card]:
    """Each card parsed on its own (by ``vobject``), so that one it cannot read is one
    invalid row naming its ``BEGIN:VCARD`` line."""
    import vobject  # noqa: PLC0415 - slow to import

    logging.getLogger("vobject").setLevel(logging.CRITICAL)  # it logs what it skips
    for line, block in _blocks(text):
        try:
            component = vobject.readOne(_unfolded_21(block), ignoreUnreadable=True)
        except Exception as error:
            tally.rows_read += 1
            tally.invalid(path, line, f"unreadable vCard: {quote(str(error))}")
            continue
        yield _vcard(component, line, tally, region)


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """``(line of BEGIN:VCARD, the card's text)`` of each card; nested cards (an AGENT)
    stay inside their card."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    depth, start, begun = 0, 0, 0
    for number, line in enumerate(lines, 1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if depth == 0:
                start, begun = number - 1, number
            depth += 1
        elif word == "END:VCARD" and depth:
            depth -= 1
            if depth == 0:
                yield begun, "\n".join(lines[start:number])


_BINARY = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY|PROFILE)[;:]", re.IGNORECASE)
_PROPERTY = re.compile(r"^(?:[\w-]+\.)?[A-Z][\w-]*[;:]", re.IGNORECASE)


def _unfolded_21(text: str) -> str:
    """vCard 2.1 as vobject can read it: quoted-printable soft line breaks (``=`` at the
    end of a line) joined, and binary properties (photos: base64 over unindented lines,
    ended by an empty line) dropped: they name no one."""
    out: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if _BINARY.match(line):
            while index < len(lines) and (
                lines[index][:1] in (" ", "\t")
                or (lines[index] and not _PROPERTY.match(lines[index]))
            ):
                index += 1
            continue
        if "QUOTED-PRINTABLE" in line.upper().split(":", 1)[0]:
            while line.endswith("=") and index < len(lines):
                line = line[:-1] + lines[index]
                index += 1
        out.append(line)
    return "\n".join(out)


def _values(component: Any, name: str) -> list[Any]:
    return [c.value for c in component.contents.get(name, [])]


def _vcard(component: Any, line: int, tally: Tally, region: str | None) -> Card:
    shown = _text(next(iter(_values(component, "fn")), ""))
    if not shown:
        for n in _values(component, "n"):
            parts = [
                getattr(n, f, "") for f in ("prefix", "given", "additional", "family", "suffix")
            ]
            shown = " ".join(_text(p) for p in parts if _text(p))
    org = None
    for value in _values(component, "org"):
        parts = value if isinstance(value, list) else [value]
        org = org or next((_text(p) for p in parts if _text(p)), None)
    title = next((_text(v) for v in _values(component, "title") if _text(v)), None)
    revised = None
    for value in _values(component, "rev"):
        revised = revised or _rev(str(value))
    return Card(
        line,
        _clean(shown),
        _emails(_values(component, "email"), tally),
        _phones(_values(component, "tel"), tally, region),
        _urls(_values(component, "url"), tally),
        _clean(org) or None,
        _clean(title) or None,
        revised,
    )


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return str(value or "").strip()


def _clean(value: str | None) -> str:
    if not value:
        return ""
    try:
        return clean_name(value)
    except InvalidInputError:
        return ""


def _rev(text: str) -> datetime | None:
    text = text.strip().replace("-", "").replace(":", "")
    for pattern in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            return datetime.strptime(text[: len(pattern) + 2], pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _emails(values: Sequence[Any], tally: Tally) -> tuple[str, ...]:
    found = []
    for value in values:
        text = _text(value).removeprefix("mailto:")
        if text.lower() in _EMPTY:
            continue
        try:
            found.append(email(text))
        except InvalidInputError:
            tally.left_out["a value that is not an e-mail address"] += 1
    return tuple(dict.fromkeys(found))


def _phones(values: Sequence[Any], tally: Tally, region: str | None) -> tuple[str, ...]:
    found = []
    for value in values:
        text = _text(value).removeprefix("tel:")
        if text.lower() in _EMPTY:
            continue
        try:
            found.append(phone(text, region))
        except InvalidInputError:
            why = "a phone without +country (give --region)" if not region else "not a phone"
            tally.left_out[why] += 1
    return tuple(dict.fromkeys(found))


def _urls(values: Sequence[Any], tally: Tally) -> tuple[str, ...]:
    found = []
    for value in values:
        text = _text(value)
        if text.lower() in _EMPTY:
            continue
        try:
            found.append(profile_url(text))
        except InvalidInputError:
            tally.left_out["a value that is not a URL"] += 1
    return tuple(dict.fromkeys(found))


# Columns of Google (E-mail 1 - Value), Outlook (E-mail Address, E-mail 2 Address) and
# Thunderbird (Primary Email) exports, found by their names.
def _csv_cards(path: str | Path, text: str, tally: Tally, region: str | None) -> Iterator[Card]:
    table = parse_csv(text, path)
    header = [h.strip().lower() for h in table.header]

    def columns(test: Any) -> list[int]:
        return [i for i, h in enumerate(header) if test(h)]

    mails = columns(
        lambda h: ("e-mail" in h or "email" in h) and "type" not in h and "display" not in h
    )
    phones = columns(lambda h: ("phone" in h or "mobile" in h) and "type" not in h)
    urls = columns(lambda h: ("web page" in h or "website" in h) and "type" not in h)
    whole = columns(lambda h: h in ("name", "display name"))
    parts = columns(
        lambda h: (
            h
            in (
                "first name",
                "given name",
                "middle name",
                "additional name",
                "last name",
                "family name",
            )
        )
    )
    orgs = columns(lambda h: h in ("organization 1 - name", "company", "organization"))
    titles = columns(lambda h: h in ("organization 1 - title", "job title"))
    if not mails and not phones and not whole and not parts:
        raise ImportFileError(
            path, table.header_line, "not a contacts CSV: no name, e-mail or phone column"
        )
    for line, row in table.rows:
        cells = [c.strip() for c in row]
        yield _csv_card(
            line, cells, (mails, phones, urls, whole, parts, orgs, titles), tally, region
        )


def _csv_card(
    line: int, cells: list[str], columns: tuple[list[int], ...], tally: Tally, region: str | None
) -> Card:
    mails, phones, urls, whole, parts, orgs, titles = columns

    def cell(i: int) -> str:
        return cells[i] if i < len(cells) else ""

    shown = next((cell(i) for i in whole if cell(i)), "")
    if not shown:
        shown = " ".join(cell(i) for i in parts if cell(i))
    values: list[str] = []
    for i in mails:  # Google joins several values of one column with " ::: "
        values.extend(v.strip() for v in cell(i).split(":::") if v.strip())
    return Card(
        line,
        _clean(shown),
        _emails(values, tally),
        _phones([cell(i) for i in phones if cell(i)], tally, region),
        _urls([cell(i) for i in urls if cell(i)], tally),
        _clean(next((cell(i) for i in orgs if cell(i).lower() not in _EMPTY), "")) or None,
        _clean(next((cell(i) for i in titles if cell(i).lower() not in _EMPTY), "")) or None,
    )
