"""Mutated real files: every run is either a one-line error naming FILE:LINE with the
ledger unchanged, or an accepted import whose summary adds up.

The seeds are real files (tests/fixtures/real and the importers' fixtures); the
mutations are fixed (seeded) so that a failure can be replayed: truncation, random
bytes, control and bidi characters, non-ASCII digits, a huge field, dropped and extra
fields, other line endings.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import ledger
from ledger.sources import (
    ImportFileError,
    import_edges,
    import_ics,
    import_linkedin,
    import_meetings,
)

HERE = Path(__file__).parent / "fixtures"
ROUNDS = int(os.environ.get("LEDGER_FUZZ_ROUNDS", "25"))  # each seed; more to search harder


def _mutations(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    line = rng.randrange(len(lines)) if lines else 0
    choice = rng.randrange(9)
    if choice == 0:  # a partial download
        return text[: rng.randrange(1, max(2, len(text)))]
    if choice == 1:  # random bytes in one line
        junk = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(1, 8)))
        lines[line] = lines[line][: rng.randrange(len(lines[line]) + 1)] + junk + lines[line]
    elif choice == 2:
        mark = rng.choice(["\x00", "\x1b[2J", "\u202e", "\u200b", "\ufeff", "\r", "\x85"])
        lines[line] = mark + lines[line]
    elif choice == 3:  # digits from other scripts
        lines[line] = lines[line].translate(str.maketrans("0123", "\u0660\u00b3\u0663\uff13"))
    elif choice == 4:  # a huge field
        cut = rng.randrange(len(lines[line]) + 1)
        lines[line] = lines[line][:cut] + "9" * 200_000 + lines[line][cut:]
    elif choice == 5:  # a field dropped
        lines[line] = lines[line].replace(",", "", 1).replace(" ", "", 1)
    elif choice == 6:  # a field too many
        lines[line] = lines[line].replace(",", ",x,", 1).replace(" ", " 7 ", 1)
    elif choice == 7:
        return text.replace("\n", rng.choice(["\r", "\r\n", "\n\r"]))
    else:  # a line repeated
        lines.insert(line, lines[line])
    return "".join(lines)


def _check(
    tmp_path: Path, run: Callable[[ledger.Ledger, Path], object], path: Path, label: str
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with ledger.open(url) as book:
        before = book.log_position
        try:
            summary = run(book, path)
        except ImportFileError as error:
            message = str(error)
            assert "\n" not in message and "\r" not in message, label
            assert len(message) < 600, (label, len(message))
            assert ":" in message, label
            assert (book.log_position) == before, label
            return
        assert summary.balanced, label  # type: ignore[attr-defined]
        assert book.audit().ok, label


def _mail(book: ledger.Ledger, path: Path) -> object:
    from ledger.sources import import_mail

    return import_mail(book, path, timezone="UTC")


def _whatsapp(book: ledger.Ledger, path: Path) -> object:
    from ledger.sources import import_whatsapp

    return import_whatsapp(book, path, me="Owner")


def _telegram(book: ledger.Ledger, path: Path) -> object:
    from ledger.sources import import_telegram

    return import_telegram(book, path)


def _contacts(book: ledger.Ledger, path: Path) -> object:
    from ledger.sources import import_contacts

    return import_contacts(book, path, as_of="2024-01-01", region="US")


SEEDS: dict[str, tuple[Path, Callable[[ledger.Ledger, Path], object]]] = {
    "snap": (HERE / "importers" / "tiny.snap.txt", import_edges),
    "csv": (
        HERE / "importers" / "messages_multi.csv",
        lambda b, p: import_edges(b, p, format="csv", layout=_layout()),
    ),
    "meetings": (
        HERE / "importers" / "proximity.dat",
        lambda b, p: import_meetings(b, p, start="2024-01-01"),
    ),
    "ics-khal": (
        HERE / "real" / "ics" / "khal_partstat.ics",
        lambda b, p: import_ics(b, p, me="me@x.org"),
    ),
    "ics-zimbra": (
        HERE / "real" / "ics" / "icaljs_zimbra_recur_instances.ics",
        lambda b, p: import_ics(b, p, me="me@x.org", until="2014-01-01"),
    ),
    "mbox": (HERE / "real" / "mbox" / "bigbang_pipermail_dev_test.mbox", _mail),
    "eml": (HERE / "real" / "eml" / "mikelmail_weird_to_header.eml", _mail),
    "whatsapp-ios": (HERE / "real" / "whatsapp" / "whatsr_englishiosampm.txt", _whatsapp),
    "whatsapp-android": (
        HERE / "real" / "whatsapp" / "real_android_group_mdy_24h_redacted.txt",
        _whatsapp,
    ),
    "telegram": (HERE / "real" / "telegram" / "eklipti_anonymised_supergroup_raw0.json", _telegram),
    "vcard": (HERE / "real" / "vcard" / "ezvcard_outlook-2003.vcf", _contacts),
    "contacts-csv": (HERE / "real" / "vcard" / "roundcube_gmail.csv", _contacts),
}


def _layout() -> object:
    from ledger.sources import CsvLayout

    return CsvLayout(
        src_col="From", to_cols=("To", "To2"), time_col="When", time_format="%d/%m/%Y %H:%M"
    )


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_mutated_files(tmp_path: Path, seed: str) -> None:
    source, run = SEEDS[seed]
    text = source.read_text(encoding="utf-8", errors="replace")
    rng = random.Random(seed)
    for round_ in range(ROUNDS):
        folder = tmp_path / str(round_)
        folder.mkdir()
        path = folder / source.name
        path.write_text(_mutations(text, rng), encoding="utf-8", errors="surrogatepass")
        _check(folder, run, path, f"{seed} round {round_}")


@pytest.mark.parametrize("file", ["Connections.csv", "messages.csv", "Invitations.csv"])
def test_mutated_linkedin_exports(tmp_path: Path, file: str) -> None:
    seed = (
        HERE
        / "real"
        / "linkedin"
        / ("nikhil_2022" if file != "Connections.csv" else "mauricio_2026")
    )
    rng = random.Random(file)
    for round_ in range(ROUNDS):
        folder = tmp_path / str(round_)
        export = folder / "export"
        shutil.copytree(seed, export)
        target = next(p for p in export.iterdir() if p.name.lower() == file.lower())
        target.write_text(_mutations(target.read_text(encoding="utf-8"), rng), encoding="utf-8")
        _check(folder, import_linkedin, export, f"{file} round {round_}")
