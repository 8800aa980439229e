"""Derive the Enron identity ground truth and mail graph used to measure duplicates.

Input: Udacity's ``ud120-projects`` (``final_project/emails_by_address/``: for each of
2,331 Enron addresses, ``from_ADDR.txt`` and ``to_ADDR.txt`` list the paths, in the CMU
Enron corpus ``maildir/<mailbox>/<folder>/<n>.``, of every message it sent and
received) and ``../shared/data/enron/employees.tsv.gz`` (Perry & Wolfe's 156 employees).

Ground truth (which addresses are one human), built by rules fixed before measuring:

1. A mailbox's *sent* folders (``sent``, ``_sent_mail``, ``sent_items``, ``_sent``)
   hold what was sent from it. An address belongs to a mailbox when at least 5 of the
   messages it sent are in that mailbox's sent folders and at least 80% of those it
   sent from any sent folder are.
2. Assistants send from their bosses' mailboxes (``ina.rangel`` from ``allen-p``), so
   an address is kept only when its local part has the mailbox's surname
   (``allen-p``: ``allen``) as its last word, and its first word is either one letter
   (an initial: ``k..allen``, Phillip K. Allen in Enron's X.400 form) or a first name
   starting with the mailbox's initial (``phillip.allen``).
3. A mailbox is left out (not judged) when two kept addresses carry different full first
   names (``clint.dean`` and ``craig.dean`` in ``dean-c``), or when two employees share
   its surname and initial (``campbell-l``: Larry Campbell and Larry F. Campbell).

Every address kept is in the *universe*; the truth pairs are the pairs of addresses of
one mailbox. The mail graph: one directed edge per (sender, recipient) pair of
addresses among the 2,331 with at least one message.

Run: ``python validation/enron_identities.py UD120_CHECKOUT OUT.json.gz``.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import sys
from pathlib import Path

SENT = {"sent", "_sent_mail", "sent_items", "_sent"}
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "enron"


def main(checkout: str, out: str) -> None:
    folder = Path(checkout) / "final_project" / "emails_by_address"
    sender: dict[str, str] = {}
    recipients: dict[str, set[str]] = collections.defaultdict(set)
    addresses: set[str] = set()
    for name in sorted(os.listdir(folder)):
        kind, address = name.split("_", 1)
        address = address.removesuffix(".txt")
        addresses.add(address)
        for line in (folder / name).read_text(errors="replace").splitlines():
            path = line.strip()
            if not path:
                continue
            if kind == "from":
                sender[path] = address
            else:
                recipients[path].add(address)
    in_sent: collections.Counter[tuple[str, str]] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for path, address in sender.items():
        parts = path.split("/")
        at = parts.index("maildir")
        mailbox, box_folder = parts[at + 1], parts[at + 2]
        if box_folder in SENT:
            in_sent[(address, mailbox)] += 1
            total[address] += 1
    owners = {}
    for (address, mailbox), n in in_sent.items():
        if n >= 5 and n >= 0.8 * total[address]:
            owners[address] = mailbox
    employees = collections.Counter()
    with gzip.open(SHARED / "employees.tsv.gz", "rt") as rows:
        for row in rows:
            words = row.split("\t")[1].replace(".", " ").split()
            words = [w for w in words if w.lower() not in ("jr", "sr", "ii", "iii")]
            employees[(words[-1].lower(), words[0][0].lower())] += 1
    kept: dict[str, list[str]] = collections.defaultdict(list)
    for address, mailbox in sorted(owners.items()):
        surname, _, initial = mailbox.partition("-")
        surname = surname.split("-")[0]
        words = [w for w in address.split("@")[0].replace("..", ".").split(".") if w]
        if len(words) < 2 or words[-1] != surname:
            continue
        first = words[0]
        if len(first) == 1 or (initial and first.startswith(initial[0])):
            kept[mailbox].append(address)
    truth, excluded = {}, {}
    for mailbox, found in sorted(kept.items()):
        surname, _, initial = mailbox.partition("-")
        firsts = {a.split("@")[0].split(".")[0] for a in found}
        full = {f for f in firsts if len(f) > 1}
        if len(full) > 1:
            excluded[mailbox] = f"different first names: {sorted(full)}"
        elif employees[(surname, initial[:1])] > 1:
            excluded[mailbox] = "two employees share the surname and initial"
        else:
            truth[mailbox] = sorted(found)
    edges = set()
    for path, source in sender.items():
        for target in recipients.get(path, ()):
            if target != source:
                edges.add((source, target))
    ordered = sorted(addresses)
    number = {a: i for i, a in enumerate(ordered)}
    data = {
        "about": __doc__.split("\n\n")[0] + " See validation/enron_identities.py.",
        "addresses": ordered,
        "edges": sorted([number[a], number[b]] for a, b in edges),
        "truth": {m: [number[a] for a in v] for m, v in truth.items()},
        "excluded": excluded,
    }
    with gzip.open(out, "wt") as handle:
        json.dump(data, handle, separators=(",", ":"))
    pairs = sum(len(v) * (len(v) - 1) // 2 for v in truth.values())
    print(
        f"{len(ordered)} addresses, {len(edges)} edges; truth: {len(truth)} mailboxes, "
        f"{sum(len(v) for v in truth.values())} addresses, {pairs} pairs; "
        f"{len(excluded)} mailboxes left out"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
