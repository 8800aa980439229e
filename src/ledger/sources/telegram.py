"""Telegram Desktop exports (``result.json``): one chat, or the whole account.

Both shapes are read: a single chat (``{"name", "type", "id", "messages": [...]}``) and
a full export (``{"personal_information", "chats": {"list": [...]}}``).

* Each ``message`` becomes ONE ``message`` touchpoint from its sender to every other
  member of its chat: everyone who wrote in it, and the owner (the account of a full
  export's ``personal_information``, or ``me``). The engine weighs a group message
  1/(n-1) per pair and groups bursts into conversation sessions.
* ``service`` entries (joins, pins, calls started ...) are skipped and counted; so is a
  message with no other member known.
* **People** are keyed ``telegram:<from_id>`` (``telegram:user123``: Telegram's stable
  id, a ``handle`` identifier) with their display name; an export without ids (old or
  minimal ones) keys them by name.
* **Times**: ``date_unixtime`` (exact); without it, ``date`` in ``timezone`` (the
  export writes the account's local time without a zone).

Refs: the chat's id and the message's id (``chat:msg``), else a digest of chat, time,
sender and text; source ``telegram``. Errors (a file that is not JSON, a message without
a time or sender) name the line of the message's ``"id"`` or opening brace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.kinds import Kind
from ledger.facts.time import check_moment
from ledger.facts.values import Touch
from ledger.sources import _write
from ledger.sources._keys import name as clean_name
from ledger.sources._refs import digest
from ledger.sources._rows import ImportFileError, Progress, read_text
from ledger.sources._summary import ImportSummary, Tally, summarize
from ledger.sources._times import BadValue, unix_time, zone

__all__ = ["TELEGRAM_SOURCE", "import_telegram"]

TELEGRAM_SOURCE = "telegram"
_ID = re.compile(r"[A-Za-z]*\d+")


def import_telegram(
    book: Ledger,
    path: str | Path,
    *,
    me: str | None = None,
    timezone: str = "UTC",
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import a Telegram Desktop export; all of it or, on an error, none."""
    tz = zone(timezone)
    text = read_text(path)
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        line = text.count("\n", 0, error.pos) + 1
        raise ImportFileError(path, line, f"not JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise ImportFileError(path, 1, "not a Telegram export (no messages)")
    lines = _Lines(text)
    tally = Tally(skip_invalid)
    names: dict[str, str] = {}
    owner = _owner(data, me, names)
    touches: list[Touch] = []
    for chat in _chats(path, data):
        found: list[tuple[str, datetime, str, str]] = []
        for message in chat.get("messages") or []:
            tally.rows_read += 1
            if not isinstance(message, dict) or message.get("type") != "message":
                tally.ignorable(f"service message ({_action(message)})")
                continue
            try:
                key = _sender(message, names)
                when = _when(message, tz)
            except InvalidInputError as error:
                tally.invalid(path, lines.of(message), getattr(error, "reason", str(error)))
                continue
            found.append((key, when, str(message.get("id", "")), _text(message.get("text"))))
        members = sorted({key for key, _, _, _ in found} | ({owner} if owner else set()))
        chat_id = str(chat.get("id", chat.get("name", "")))
        counts: dict[str, int] = {}
        for key, when, message_id, body in found:
            others = tuple(m for m in members if m != key)
            if not others:
                tally.ignorable("no other member of the chat known (give --me)")
                continue
            if message_id:
                ref = f"{digest(chat_id)}:{message_id}"
            else:
                base = digest(chat_id, when, key, body)
                counts[base] = counts.get(base, 0) + 1
                ref = f"{base}#{counts[base]}"
            touches.append(Touch(Kind.MESSAGE, key, others, when, None, TELEGRAM_SOURCE, ref))
    people = [
        _write.Person(key, names.get(key), identifiers=_handle(key))
        for key in sorted({p for t in touches for p in t.people} | ({owner} if owner else set()))
    ]
    written = _write.write(
        book,
        touches,
        people=people,
        owner=owner,
        progress=progress,
        allow_forgotten=allow_forgotten,
    )
    return summarize(TELEGRAM_SOURCE, tally, written, owner=owner)


def _chats(path: str | Path, data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if isinstance(data.get("messages"), list):
        yield data
        return
    listed = (data.get("chats") or {}).get("list") if isinstance(data.get("chats"), dict) else None
    if not isinstance(listed, list):
        raise ImportFileError(path, 1, "not a Telegram export (no messages, no chats.list)")
    for chat in listed:
        if isinstance(chat, dict):
            yield chat


def _owner(data: dict[str, Any], me: str | None, names: dict[str, str]) -> str | None:
    if me:
        text = me.strip()
        if text[:9].lower() == "telegram:":  # as senders are keyed: the id lower-cased
            return f"telegram:{text[9:].lower()}"
        return _named(text, names)
    info = data.get("personal_information")
    if isinstance(info, dict) and info.get("user_id") is not None:
        key = f"telegram:user{info['user_id']}"
        shown = " ".join(str(info.get(f) or "") for f in ("first_name", "last_name")).strip()
        if shown:
            names.setdefault(key, clean_name(shown))
        return key
    return None


def _sender(message: dict[str, Any], names: dict[str, str]) -> str:
    shown = message.get("from")
    shown = clean_name(str(shown)) if shown else ""
    from_id = message.get("from_id")
    if isinstance(from_id, str | int) and _ID.fullmatch(str(from_id)):
        key = f"telegram:{str(from_id).lower()}"
        if shown:
            names.setdefault(key, shown)
        return key
    if not shown:
        raise InvalidInputError("from", message.get("from"), "a message without a sender")
    return _named(shown, names)


def _named(shown: str, names: dict[str, str]) -> str:
    names.setdefault(shown, shown)
    return shown


def _handle(key: str) -> tuple[tuple[str, str], ...]:
    return (("handle", key),) if key.startswith("telegram:") else ()


def _when(message: dict[str, Any], tz: Any) -> datetime:
    stamp = message.get("date_unixtime")
    try:
        if stamp is not None:
            return unix_time(str(stamp), "date_unixtime")
        text = str(message.get("date") or "")
        if not text:
            raise InvalidInputError("date", None, "a message without a time")
        local = datetime.fromisoformat(text) if text.isascii() else None
        if local is None:
            raise InvalidInputError("date", text, "not an ISO time")
        return check_moment(local if local.tzinfo else local.replace(tzinfo=tz), "date")
    except BadValue as error:
        raise InvalidInputError("date_unixtime", stamp, error.reason) from None
    except ValueError:
        raise InvalidInputError("date", message.get("date"), "not an ISO time") from None


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else str(v.get("text", "")) for v in value)
    return str(value or "")


def _action(message: Any) -> str:
    if isinstance(message, dict):
        return str(message.get("action") or message.get("type") or "unknown")
    return "not an object"


class _Lines:
    """Where a message is in the file: the line of its ``"id": N`` (searched in order)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def of(self, message: dict[str, Any]) -> int:
        found = -1
        if "id" in message:
            pattern = re.compile(rf'"id":\s*{re.escape(str(message["id"]))}\b')
            hit = pattern.search(self.text, self.position)
            found = hit.start() if hit else -1
        if found < 0:
            return 0
        self.position = found
        return self.text.count("\n", 0, found) + 1
