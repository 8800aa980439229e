"""Reading mail files for :mod:`ledger.sources.mail`: the messages of an mbox, a Maildir
or a folder of ``.eml`` files, each as the header fields that matter, with its line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import attrs

from ledger.sources._rows import Progress, read_bytes

__all__ = ["MailMessage", "messages"]

_FIELDS = (
    "from",
    "to",
    "cc",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "list-unsubscribe",
    "list-id",
    "precedence",
    "auto-submitted",
    "sender",
    "x-gmail-labels",
    "x-mozilla-draft-info",
)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@attrs.frozen
class MailMessage:
    """The headers of one message that matter here, and where it begins."""

    path: str
    line: int
    headers: dict[str, tuple[int, str]]
    """Lower-cased field name -> (line, unfolded raw value); the first of each."""


def messages(path: str | Path, progress: Progress | None = None) -> Iterator[MailMessage]:
    """Every message of an mbox, a Maildir or a folder of mail files (recursively; names
    starting with ``.`` and ``tmp/`` folders skipped), or of one ``.eml`` file."""
    where = Path(path)
    if where.is_dir():
        files = sorted(_mail_files(where))
        for done, file in enumerate(files, 1):
            yield from _file_messages(file)
            if progress is not None and (done % 1000 == 0 or done == len(files)):
                progress("read", done, len(files))
        return
    yield from _file_messages(where, progress)


def _mail_files(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "tmp")
        for file in files:
            if not file.startswith("."):
                yield Path(root) / file


def _file_messages(file: Path, progress: Progress | None = None) -> Iterator[MailMessage]:
    data = read_bytes(file)
    shown = str(file)
    if not data.startswith(b"From "):
        yield _parse(shown, 1, data)
        return
    starts = _mbox_starts(data)
    for index, (start, line) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(data)
        # the envelope line ("From sender date") is not a header
        first = data.find(b"\n", start, end)
        body_start = end if first < 0 else first + 1
        yield _parse(shown, line + 1, data[body_start:end])
        if progress is not None and (index % 5000 == 4999 or index + 1 == len(starts)):
            progress("read", index + 1, len(starts))


def _mbox_starts(data: bytes) -> list[tuple[int, int]]:
    """``(offset, line)`` of each ``From `` line at the start of the file or after an empty
    line (mboxo/mboxrd: a ``From `` inside a body is escaped as ``>From ``)."""
    starts = [(0, 1)]
    line, position = 1, 0
    for found in re.finditer(rb"\n\r?\nFrom ", data):
        offset = found.start() + len(found.group(0)) - 5
        line += data.count(b"\n", position, offset)
        position = offset
        starts.append((offset, line))
    return starts


def _parse(path: str, line: int, data: bytes) -> MailMessage:
    """The wanted header fields of a message (its headers only: up to the first empty
    line), unfolded, each with its line."""
    end = _HEADER_END.search(data)
    head = data[: end.start()] if end else data
    text = head.decode("utf-8", "surrogateescape")
    headers: dict[str, tuple[int, str]] = {}
    current: str | None = None
    for offset, raw in enumerate(text.split("\n")):
        row = raw.removesuffix("\r")
        if row[:1] in (" ", "\t"):
            if current is not None:
                at, value = headers[current]
                headers[current] = (at, f"{value} {row.strip()}")
            continue
        field, colon, value = row.partition(":")
        field = field.strip().lower()
        current = None
        if colon and field in _FIELDS and field not in headers:
            headers[field] = (line + offset, _text(value.strip()))
            current = field
    return MailMessage(path, line, headers)


def _text(value: str) -> str:
    """Undecodable 8-bit bytes (mojibake in old headers) as the cp1252 they usually are."""
    if any("\udc80" <= c <= "\udcff" for c in value):
        raw = value.encode("utf-8", "surrogateescape")
        return raw.decode("cp1252", "replace")
    return value
