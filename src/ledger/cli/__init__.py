"""The ``ledger`` command line: a thin shell over the Python API (:mod:`ledger`)."""

from __future__ import annotations

from ledger.cli.main import main

__all__ = ["main"]
