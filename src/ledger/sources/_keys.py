"""Person keys, names and e-mail addresses read from files: one rule for every importer.

Keys and names go through the clean-text rule of :mod:`ledger.facts.text` (NFC,
invisible debris stripped, control and bidi characters refused), with one addition
for files: a *balanced* bidi isolate or embedding (U+2066-U+2068 or U+202A/U+202B,
closed by U+2069 or U+202C) is removed with its closing mark. Such pairs only tell a
renderer which way to lay out the text between them (LinkedIn wraps emoji in names in
them); they change no character a person reads. Unbalanced ones, and the overrides
U+202D/U+202E that do reorder what is shown, stay refused.

E-mail addresses are keys in lower case, without ``mailto:`` and without whitespace
(an address has none; calendars that fold lines badly leave some). An address list
(``"Doe, Jane" <j@x.org>; bob@y.org``) is split on commas and semicolons outside
quotes, angle brackets and comments, and each part is read by ``email.utils``: a
comma inside a quoted display name never makes a second person.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from ledger.facts.text import clean_key, clean_name

__all__ = ["address", "address_list", "key", "name"]

_PAIRED = re.compile(
    "[\u2066-\u2068]([^\u2066-\u2069]*)\u2069|[\u202a\u202b]([^\u202a-\u202e]*)\u202c"
)
_SPACE = re.compile(r"\s+")
_NOT_IN_ADDRESS = re.compile(r"[<>()\[\]\\,;:\"]")
_OPENERS = {'"': '"', "<": ">", "(": ")"}


def _unpair(text: str) -> str:
    while True:
        unpaired = _PAIRED.sub(lambda m: m.group(1) or m.group(2) or "", text)
        if unpaired == text:
            return text
        text = unpaired


def key(value: str, field: str) -> str:
    """A person key (or identifier) from a file: clean and not empty, else an error."""
    return clean_key(_unpair(value), field)


def name(value: str, field: str = "name") -> str:
    """A display name from a file: clean, may be empty."""
    return clean_name(_unpair(value), field)


def address(text: str, field: str = "address") -> str | None:
    """``text`` as an address key (``Jane@Example.org`` → ``jane@example.org``), or
    None when it is not one address."""
    found = _SPACE.sub("", text)
    if found[:7].lower() == "mailto:":
        found = found[7:]
    local, at, domain = found.rpartition("@")
    if not at or not local or not domain or "@" in local or _NOT_IN_ADDRESS.search(found):
        return None
    return key(found, field).lower()


def address_list(cell: str, field: str = "address") -> list[tuple[str, str, str | None]]:
    """Each ``(part, display name, address key or None)`` of an address list cell;
    group labels (``undisclosed-recipients:;``) and empty parts are left out."""
    found: list[tuple[str, str, str | None]] = []
    for whole in _parts(cell):
        label, colon, rest = whole.partition(":")
        grouped = colon and "@" not in label and '"' not in label and "<" not in label
        part = rest if grouped else whole  # "Team: a@x.org": a group's label goes
        if not part.strip():
            continue
        display, spec = parseaddr(part)
        found.append((part.strip(), name(display, field), address(spec, field) if spec else None))
    return found


def _parts(cell: str) -> list[str]:
    """``cell`` split on ``,`` and ``;`` outside quotes, angle brackets and comments."""
    parts, current, closing = [], [], ""
    escaped = False
    for char in cell:
        current.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif closing:
            closing = "" if char == closing else closing
        elif char in _OPENERS:
            closing = _OPENERS[char]
        elif char in ",;":
            current.pop()
            parts.append("".join(current))
            current = []
    parts.append("".join(current))
    return [part for part in parts if part.strip()]
