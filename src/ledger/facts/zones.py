"""Time zone names the ledger accepts: portable IANA names, the same zone on every
machine that reads the ledger.

``zoneinfo`` loads any file under the machine's zone directory, and some of those are
not zones anyone else can count days in: ``localtime`` is whatever this machine is set
to, ``posixrules`` and ``Factory`` are the database's own files, ``posix/…`` and
``right/…`` are variant copies (``right/`` counts leap seconds), and an absolute path is
a file on this machine. A ledger's time zone is a fact in its log, read by every
process and machine that opens it, and the display zone names what a user sees: both
take only names that mean the same everywhere.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import InvalidTimeError

__all__ = ["ZONE_ACCEPTED", "portable_zone"]

ZONE_ACCEPTED = "use an IANA name such as Europe/Paris or UTC"
"""What a time zone option accepts, for help texts and errors."""

_MACHINE_FILES = {
    "localtime": "it is whatever zone this machine is set to",
    "posixrules": "it is a file of the zone database, not a zone",
    "Factory": "it is the zone database's placeholder, not a zone",
}
_VARIANTS = ("posix", "right")


def portable_zone(name: object, field: str) -> ZoneInfo:
    """The zone called ``name``, a portable IANA name; else :class:`InvalidTimeError`
    naming ``field``, the value, and what is accepted."""
    if not isinstance(name, str):
        raise InvalidTimeError(field, name, f"not a time zone; {ZONE_ACCEPTED}")
    why = _not_portable(name)
    if why is not None:
        raise InvalidTimeError(field, name, f"not a portable time zone: {why}; {ZONE_ACCEPTED}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory (Europe)
        raise InvalidTimeError(field, name, f"not a time zone; {ZONE_ACCEPTED}") from None


def _not_portable(name: str) -> str | None:
    if not name:
        return None  # not a zone at all: zoneinfo says so
    parts = name.split("/")
    if name.startswith(("/", "~")) or "\\" in name or any(p in ("", ".", "..") for p in parts):
        return "it is a file path"
    if name in _MACHINE_FILES:
        return _MACHINE_FILES[name]
    if parts[0] in _VARIANTS and len(parts) > 1:
        return f"{parts[0]}/ names are a variant copy of the zone database"
    return None
