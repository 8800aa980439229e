"""``ledger serve``: a local web page over the public API, for the weekly routine.

:func:`open_shell` opens the ledger a server serves (with its key, if encrypted);
:func:`create_app` is the Starlette application over it; ``ledger serve`` runs it with
uvicorn on 127.0.0.1. The pages, their safety rules and their timings are in
``docs/web.md``. Like the command line, this is a thin shell: every number on a page
comes from :mod:`ledger` or :mod:`ledger.insights`.
"""

from __future__ import annotations

from ledger.web._shell import Shell, open_shell
from ledger.web.app import LOOPBACK, create_app

__all__ = ["LOOPBACK", "Shell", "create_app", "open_shell"]
