"""The one error hierarchy of the ledger.

Every error a caller can provoke is a :class:`LedgerError`; each concrete error also
subclasses the builtin a Python programmer would reach for (``ValueError`` for bad
input, ``LookupError`` for something missing), so ``except ValueError`` keeps working.
Messages always name the field and the offending value.
"""

from __future__ import annotations

__all__ = [
    "QUOTE_LIMIT",
    "AlreadyRetractedError",
    "EmptyKeyError",
    "ForgottenPersonError",
    "InvalidInputError",
    "InvalidTimeError",
    "KeyRequiredError",
    "LedgerError",
    "LogTamperedError",
    "SelfTouchpointError",
    "StorageError",
    "UnknownKindError",
    "UnknownPersonError",
    "UnknownProjectionError",
    "UnknownTouchpointError",
    "ViewMismatchError",
    "ViewsDamagedError",
    "WrongKeyError",
    "quote",
]

QUOTE_LIMIT = 100
"""Characters of an offending value an error message quotes at most."""

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "\\'"}


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as a message shows it: in single quotes, at most ``limit`` characters
    (then "…"), every control, format or bidi character escaped (``\\x1b``, ``\\u202e``),
    so that no message can be very long or change the terminal it is printed on."""
    text = value if isinstance(value, str) else str(value)
    cut = len(text) > limit
    shown = "".join(_escaped(char) for char in text[:limit])
    return f"'{shown}…'" if cut else f"'{shown}'"


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    if _invisible(code):
        return f"\\u{code:04x}"
    return char


def _invisible(code: int) -> bool:
    """Format characters that change or hide how text is shown (zero-width, bidi)."""
    return (
        code in (0x00AD, 0x061C, 0x180E, 0xFEFF)
        or 0x200B <= code <= 0x200F
        or 0x2028 <= code <= 0x202E
        or 0x2060 <= code <= 0x206F
        or 0xFFF9 <= code <= 0xFFFB
    )


class LedgerError(Exception):
    """Base class of every error raised by the ledger."""


class InvalidInputError(LedgerError, ValueError):
    """A value given to the ledger is not acceptable; nothing was written."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {quote(value)})")


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
        super().__init__(f"{field}: unknown person {quote(key)} (add them first)")


class ForgottenPersonError(LedgerError, PermissionError):
    """A person who was forgotten (``ledger forget``) would be recorded again; an
    import brings them back only when asked to (``allow_forgotten``)."""

    def __init__(self, field: str, key: str) -> None:
        self.field = field
        self.key = key
        super().__init__(
            f"{field}: {quote(key)} was forgotten; record them again only if they agree "
            "(allow_forgotten=True, or --allow-forgotten)"
        )


class UnknownTouchpointError(LedgerError, LookupError):
    """No touchpoint has the given id."""

    def __init__(self, touchpoint_id: str) -> None:
        self.touchpoint_id = touchpoint_id
        super().__init__(f"touchpoint_id: no touchpoint {quote(touchpoint_id)}")


class UnknownProjectionError(LedgerError, LookupError):
    """No projection has the given name."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(
            f"projection: unknown projection {quote(name)} (known: {', '.join(known)})"
        )


class AlreadyRetractedError(LedgerError, ValueError):
    """The touchpoint was retracted before; a retraction is final."""

    def __init__(self, touchpoint_id: str) -> None:
        self.touchpoint_id = touchpoint_id
        super().__init__(f"touchpoint_id: touchpoint {quote(touchpoint_id)} is already retracted")


class StorageError(LedgerError, OSError):
    """The ledger's storage cannot be opened or used (bad URL, unreachable server, ...)."""


class ViewsDamagedError(StorageError):
    """The persisted views cannot be read (a table missing, a row edited, a position
    moved back); they are derived from the log, so ``ledger replay`` rebuilds them."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"the views are damaged ({detail}): run `ledger replay`")


class KeyRequiredError(LedgerError, PermissionError):
    """An encrypted ledger was opened without its passphrase or key."""


class WrongKeyError(LedgerError, PermissionError):
    """The passphrase or key given does not open this ledger (or is not a key)."""


class LogTamperedError(LedgerError):
    """The stored log was altered behind the ledger's back; ``ledger audit`` says where."""


class ViewMismatchError(LedgerError, AssertionError):
    """A rebuilt view differs from the persisted one (see ``Ledger.verify``)."""
