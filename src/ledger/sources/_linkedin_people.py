"""Who is who in a LinkedIn export: profile URLs, names, namesakes and the owner.

**Keys.** A person with a profile URL anywhere in the export is keyed by it, in a short
canonical form: ``linkedin:`` + the profile's slug, percent-decoded, NFC, lower case
(``https://uk.linkedin.com/in/Jos%C3%A9-Diaz/`` → ``linkedin:josé-diaz``). LinkedIn
treats slugs case-insensitively and serves one profile under every locale prefix,
``http``/``https``, with or without ``www.`` and a trailing slash, so all of these are
one key; it is stable across exports and can be typed on the command line. Where a
row has no URL (exports before 2023, Recommendations, 2021 message recipients), its
name is looked up: a name bound to exactly one profile anywhere in the export is that
profile; any other name is keyed by the name itself. The owner's name in a cell
without a URL is the owner (the owner takes part in everything the export holds); on
the other side of an invitation or connection, where the owner cannot be, it is a
namesake, keyed ``NAME (namesake of the owner)``. A cell holding an e-mail address is
the owner when it is one of the owner's (``Email Addresses.csv``), else the person
with that address in Connections, else the address itself.

**Recipients.** LinkedIn joins the recipients of a group message with a bare comma
(``Ann Lee,Bo Ng``) while a name may hold a comma and a space (``Jane Doe, MBA``).
So a TO cell is split on commas not followed by a space; adjacent pieces are joined
back when together they are a name the export knows (a sender, a connection), and a
piece of one word (``CPHR``) is a credential of the name before it, never a person.
With RECIPIENT PROFILE URLS, one URL means one recipient (the whole cell); as many
URLs as names pairs them in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import unquote

import attrs

from ledger.errors import InvalidInputError
from ledger.sources._keys import address, key, name

__all__ = ["ANONYMOUS", "People", "profile_key", "split_recipients"]

ANONYMOUS = "linkedin member"
_PROFILE = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com/(in|pub)/([^?#]+)(?:[?#].*)?", re.IGNORECASE
)
_BARE_COMMA = re.compile(r",(?!\s)")


def profile_key(url: str) -> str | None:
    """The key of the profile at ``url``, or None when it is not a profile URL
    (URNs, company pages and empty cells are not)."""
    found = _PROFILE.fullmatch(url.strip())
    if found is None:
        return None
    kind, path = found.group(1).lower(), found.group(2).strip("/")
    slug = path.split("/")[0] if kind == "in" else path
    try:
        decoded = unquote(slug, errors="strict")
    except UnicodeDecodeError:  # not UTF-8 underneath: keep it encoded
        decoded = slug.upper() if "%" in slug else slug
    if not decoded:
        return None
    slug = unicodedata.normalize("NFC", decoded).lower()
    return key(f"linkedin:{slug}" if kind == "in" else f"linkedin:pub/{slug}", "profile URL")


def split_recipients(cell: str, known: set[str]) -> list[str]:
    """The names of a TO cell without URLs (see the module docstring)."""
    pieces = [piece for piece in _BARE_COMMA.split(cell) if piece.strip()]
    names: list[str] = []
    start = 0
    while start < len(pieces):
        end = next(
            (
                e
                for e in range(len(pieces), start, -1)
                if _clean(",".join(pieces[start:e])) in known
            ),
            start + 1,
        )
        joined = ",".join(pieces[start:end])
        if end == start + 1 and names and len(joined.split()) == 1 and joined not in known:
            names[-1] = f"{names[-1]},{joined}"  # "Jane Doe, PhD,CPHR": a credential
        else:
            names.append(joined)
        start = end
    return [_clean(found) for found in names if _clean(found)]


def _clean(value: str) -> str:
    try:
        return name(value)
    except InvalidInputError:
        return value.strip()


@attrs.define
class People:
    """The export's names and profiles, and the rules that make keys of them."""

    bindings: defaultdict[str, set[str]] = attrs.field(factory=lambda: defaultdict(set))
    names: dict[str, str] = attrs.field(factory=dict)  # key -> display name
    emails: dict[str, str] = attrs.field(factory=dict)  # address -> key
    known: set[str] = attrs.field(factory=set)  # every full name the export spells
    owner: str = ""
    owner_name: str = ""
    owner_emails: set[str] = attrs.field(factory=set)

    def learn(self, who: str, url: str = "", email: str = "") -> str | None:
        """Remember that the export shows ``who`` (a name) with ``url``/``email``.
        A value the clean-text rule refuses teaches nothing: its row's reader names it."""
        try:
            return self._learn(who, url, email)
        except InvalidInputError:
            return None

    def _learn(self, who: str, url: str, email: str) -> str | None:
        cleaned = name(who)
        found = profile_key(url) if url else None
        if cleaned:
            self.known.add(cleaned)
        if found is not None:
            if cleaned:
                self.bindings[cleaned].add(found)
                self.names.setdefault(found, cleaned)
            if email and address(email) is not None:
                self.emails.setdefault(address(email) or "", found)
        return found

    def key(self, who: str, url: str = "", *, not_owner: bool = False) -> str:
        """The key of the person a cell names (empty when it names nobody)."""
        found = profile_key(url) if url else None
        if found is not None:
            return found
        cleaned = name(who)
        if "@" in cleaned and " " not in cleaned and address(cleaned) is not None:
            return self._by_address(address(cleaned) or "")
        if cleaned and cleaned == self.owner_name:
            return f"{cleaned} (namesake of the owner)" if not_owner else self.owner
        bound = self.bindings.get(cleaned, set())
        if len(bound) == 1:
            return next(iter(bound))
        return key(cleaned, "name") if cleaned else ""

    def _by_address(self, found: str) -> str:
        if found in self.owner_emails:
            return self.owner
        return self.emails.get(found, found)

    def name_of(self, person: str) -> str | None:
        return self.names.get(person)

    def known_names(self) -> set[str]:
        return self.known | ({self.owner_name} if self.owner_name else set())

    def adopt_owner(self, owner: str, owner_name: str, emails: Iterable[str]) -> None:
        self.owner, self.owner_name = owner, owner_name
        self.owner_emails = {found for e in emails if (found := address(e)) is not None}
        if owner_name:
            self.names.setdefault(owner, owner_name)
