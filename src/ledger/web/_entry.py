"""*Log and import*: a form that records one touchpoint (validated by the ledger, as
``ledger log`` is: an error names the field and quotes the value, and nothing is
written), and an upload of a LinkedIn export (.zip) or a calendar (.ics), imported by
a job (``ledger.sources``) whose summary the page shows."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger import InvalidInputError, Kind, Ledger
from ledger.web._ask import Ask, parse_local
from ledger.web._jobs import Job
from ledger.web._page import Context
from ledger.web._shell import Shell

__all__ = ["FIELDS", "log_form", "start_import", "write_touch"]

FIELDS = ("kind", "initiator", "counterparts", "at", "note", "personalized", "duration", "giver")
_SPLIT = re.compile(r"[,\n]")
_KINDS = {".zip": "linkedin", ".ics": "ics"}


def log_form(book: Ledger, ask: Ask, query: dict[str, str]) -> Context:
    values = {name: query.get(name, "") for name in FIELDS}
    if not values["initiator"] and ask.me:
        values["initiator"] = ask.me
    return {
        "kinds": [k.value for k in Kind],
        "values": values,
        "error": None,
        "people": book.people()[:500],
    }


def write_touch(book: Ledger, ask: Ask, form: dict[str, str]) -> str:
    """Record the touchpoint the form describes; what was recorded, for the notice."""
    at = form.get("at", "").strip()
    occurred = datetime.now(UTC) if not at else parse_local(at, ask.clock.zone, "at")
    counterparts = [part.strip() for part in _SPLIT.split(form.get("counterparts", ""))]
    details: dict[str, Any] = {}
    if form.get("note", "").strip():
        details["note"] = form["note"]
    if form.get("personalized"):
        details["personalized"] = True
    if form.get("giver"):
        details["giver"] = form["giver"]
    if form.get("duration", "").strip():
        details["duration_seconds"] = _seconds(form["duration"])
    kind, initiator = form.get("kind", ""), form.get("initiator", "")
    touch_id = book.record(kind, initiator, [c for c in counterparts if c], occurred, **details)
    return f"recorded {kind} from {initiator} at {ask.clock.time(occurred)} (id {touch_id})"


def _seconds(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError("duration", text, "a whole number of seconds") from None


def start_import(shell: Shell, filename: str, upload: Any, me: str, after: str) -> Job:
    """Keep the uploaded file in a folder of its own and import it in a job."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in _KINDS:
        raise InvalidInputError(
            "file", filename, "upload a LinkedIn export (.zip) or a calendar (.ics)"
        )
    if _KINDS[suffix] == "ics" and not me.strip():
        raise InvalidInputError("me", me, "give your calendar address(es), comma-separated")
    folder = Path(tempfile.mkdtemp(prefix="ledger-upload-"))
    path = folder / f"upload{suffix}"
    with path.open("wb") as out:
        shutil.copyfileobj(upload, out)

    def work(job: Job) -> dict[str, Any]:
        try:
            return _import(shell, job, _KINDS[suffix], path, me)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return shell.jobs.start("import", f"importing {filename}", work, after=after)


def _import(shell: Shell, job: Job, kind: str, path: Path, me: str) -> dict[str, Any]:
    from ledger.sources import import_ics, import_linkedin  # noqa: PLC0415 (icalendar is slow)

    def progress(stage: str, done: int, total: int) -> None:
        job.update(f"{stage} rows", done, total)

    with shell.opener() as book:
        if kind == "linkedin":
            summary = import_linkedin(book, path, progress=progress)
        else:
            addresses = [part.strip() for part in me.split(",") if part.strip()]
            summary = import_ics(book, path, me=addresses, progress=progress)
        job.update("catching up the views", 0, book.pending)
        book.catch_up(progress=lambda done: job.update("catching up the views", done))
    return summary.as_dict()
