"""*Intros*: the warmest path to a person, and the introductions worth making among
the people I know well, each with its evidence (``ledger.insights``)."""

from __future__ import annotations

from ledger import Ledger, LedgerError
from ledger.insights import NoOwnerError, how_met, suggest_intros, warmest_path
from ledger.web._ask import Ask
from ledger.web._page import Context

__all__ = ["intros"]

SUGGESTED = 15


def intros(book: Ledger, ask: Ask, target: str) -> Context:
    if ask.me is None:
        raise NoOwnerError
    context: Context = {"target": target, "path": None, "path_error": None, "met": None}
    if target:
        try:
            context["path"] = warmest_path(book, target, ask.me, ask.as_of)
        except LedgerError as error:  # no path, an unknown person: said on the page
            context["path_error"] = str(error)
        else:
            context["met"] = how_met(book, target, ask.me, ask.as_of)
    context["suggestions"] = suggest_intros(book, ask.me, ask.as_of, limit=SUGGESTED)
    return context
