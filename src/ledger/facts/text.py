"""Clean text: the one rule for every person key, name and identifier the ledger takes.

Whatever the source (the API, the command line, any importer), text is

1. NFC-normalised, so that "é" typed and "é" pasted are the same person;
2. rid of *debris*, characters nobody types on purpose and exports leave behind:
   the byte-order mark, zero-width space and word joiner, soft hyphen, and the
   left-to-right / right-to-left marks (WhatsApp puts U+200E before names);
   in keys and identifiers (not in display names, where emoji and some scripts need
   them) also the zero-width joiner and non-joiner;
3. whitespace-collapsed: every run of whitespace (tabs, line breaks, no-break and
   narrow no-break spaces, ...) becomes one space, and the ends are trimmed;
4. refused when it still holds a control character (NUL, ESC, DEL, the C0 and C1
   ranges) or a bidi embedding, override or isolate (U+202A-U+202E, U+2066-U+2069):
   those change how a terminal or page shows what follows, and are never part of a
   real name or address. The error quotes the value escaped (see :func:`ledger.errors.quote`).
"""

from __future__ import annotations

import re
import unicodedata

from ledger.errors import EmptyKeyError, InvalidInputError

__all__ = ["MAX_TEXT", "clean_key", "clean_name", "clean_text"]

MAX_TEXT = 1_000
"""The longest key, name or identifier accepted (characters, after cleaning)."""

_DEBRIS = "\ufeff\u200b\u2060\u00ad\u200e\u200f\u061c\u180e"
_JOINERS = "\u200c\u200d"
_STRIP_ALWAYS = str.maketrans("", "", _DEBRIS)
_STRIP_IN_KEYS = str.maketrans("", "", _DEBRIS + _JOINERS)
_SPACES = re.compile(r"\s+")
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufff9-\ufffb]")


def clean_text(value: object, field: str, *, keep_joiners: bool, limit: int = MAX_TEXT) -> str:
    """``value`` cleaned by the rule above; may be empty."""
    if not isinstance(value, str):
        raise InvalidInputError(field, value, "expected text")
    if (
        value.isascii()
        and value.isprintable()
        and len(value) <= limit
        and value[:1] != " "
        and value[-1:] != " "
        and "  " not in value
    ):
        return value  # the common case, clean already: ASCII is NFC and has no debris
    text = unicodedata.normalize("NFC", value)
    text = text.translate(_STRIP_ALWAYS if keep_joiners else _STRIP_IN_KEYS)
    text = _SPACES.sub(" ", text).strip()
    found = _REFUSED.search(text)
    if found is not None:
        code = ord(found.group())
        raise InvalidInputError(
            field, value, f"contains the control or bidi character U+{code:04X}; remove it"
        )
    if len(text) > limit:
        raise InvalidInputError(field, value, f"longer than {limit} characters")
    return text


def clean_key(value: object, field: str) -> str:
    """A person key or identifier: clean and not empty."""
    key = clean_text(value, field, keep_joiners=False)
    if not key:
        raise EmptyKeyError(field, value)
    return key


def clean_name(value: object, field: str = "name") -> str:
    """A display name: clean (joiners kept); may be empty."""
    return clean_text(value, field, keep_joiners=True)
