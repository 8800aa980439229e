"""The one error hierarchy of the ledger.

Every error a caller can provoke is a :class:`LedgerError`; each concrete error also
subclasses the builtin a Python programmer would reach for (``ValueError`` for bad
input, ``LookupError`` for something missing), so ``except ValueError`` keeps working.
Messages always name the field and the offending value.
"""

from __future__ import annotations

__all__ = [
    "AlreadyRetractedError",
    "EmptyKeyError",
    "InvalidInputError",
    "InvalidTimeError",
    "LedgerError",
    "LogTamperedError",
    "SelfTouchpointError",
    "StorageError",
    "UnknownKindError",
    "UnknownPersonError",
    "UnknownProjectionError",
    "UnknownTouchpointError",
    "ViewMismatchError",
]


class LedgerError(Exception):
    """Base class of every error raised by the ledger."""


class InvalidInputError(LedgerError, ValueError):
    """A value given to the ledger is not acceptable; nothing was written."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {value!r})")


class EmptyKeyError(InvalidInputError):
    """A person key (or another required identifier) is empty."""

    def __init__(self, field: str, value: object = "") -> None:
        super().__init__(field, value, "must not be empty")


class InvalidTimeError(InvalidInputError):
    """A time is naive (no time zone), unparseable, or of the wrong type."""


class UnknownKindError(InvalidInputError):
    """A touchpoint kind is not one of :class:`ledger.Kind`."""


class SelfTouchpointError(InvalidInputError):
    """A touchpoint names the same person as initiator and counterpart."""


class UnknownPersonError(LedgerError, LookupError):
    """A person key was used where a registered person is required."""

    def __init__(self, field: str, key: str) -> None:
        self.field = field
        self.key = key
        super().__init__(f"{field}: unknown person {key!r} (add them first)")


class UnknownTouchpointError(LedgerError, LookupError):
    """No touchpoint has the given id."""

    def __init__(self, touchpoint_id: str) -> None:
        self.touchpoint_id = touchpoint_id
        super().__init__(f"touchpoint_id: no touchpoint {touchpoint_id!r}")


class UnknownProjectionError(LedgerError, LookupError):
    """No projection has the given name."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"projection: unknown projection {name!r} (known: {', '.join(known)})")


class AlreadyRetractedError(LedgerError, ValueError):
    """The touchpoint was retracted before; a retraction is final."""

    def __init__(self, touchpoint_id: str) -> None:
        self.touchpoint_id = touchpoint_id
        super().__init__(f"touchpoint_id: touchpoint {touchpoint_id!r} is already retracted")


class StorageError(LedgerError, OSError):
    """The ledger's storage cannot be opened or used (bad URL, unreachable server, ...)."""


class LogTamperedError(LedgerError):
    """The stored log was altered behind the ledger's back; ``ledger audit`` says where."""


class ViewMismatchError(LedgerError, AssertionError):
    """A rebuilt view differs from the persisted one (see ``Ledger.verify``)."""
