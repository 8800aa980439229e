"""Templates: Jinja2 with autoescaping, and every value made visible before it is
escaped.

The ledger refuses control and bidi characters in keys and names, but a note, a reason
or an attribute read from an import can hold them. Every ``{{ value }}`` passes through
:func:`visible` first (Jinja's ``finalize``): a control character, an ANSI escape, a
bidi override or a zero-width character is shown as its code (``\\x1b``, ``\\u202e``)
instead of acting on the page; then autoescaping turns ``<``, ``&`` and quotes into
entities. A template cannot forget either.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

__all__ = ["templates", "visible"]

_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\ufeff"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufff9-\ufffb]"
)


def _code(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: Any) -> Any:
    """``value`` with every control, format or bidi character shown as its code."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _HIDDEN.sub(_code, value)


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{float(value):,.{digits}f}"


def _share(value: Any) -> str:
    return "–" if value is None else f"{float(value):.0%}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ledger.web", "templates"),
        autoescape=True,
        finalize=visible,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = _number
    env.filters["share"] = _share
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)
