"""More of the ODK XForm function library, for forms written in KoboToolbox or ODK Build.

Each function is pure: it gets its arguments already converted as its signature says
(``n`` number, ``s`` string, ``b`` boolean, ``v`` the value as it is) and returns a number
(float), a string or a boolean, following the ODK XForms specification
(https://getodk.github.io/xforms-spec/#xpath-functions). Functions over repeat node-sets
(``sum``, ``count``, ``join`` …), device or time functions (``now``, ``uuid``, ``random``)
and ``pulldata``/``instance`` are not here: the first make no sense for one value per
question, the others would record or fetch what a server-side form must not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Function:
    #: Kind of each argument (the last repeats for variadic functions).
    kinds: str
    minimum: int
    maximum: int | None
    run: Callable[..., float | str | bool]


def _round(number: float, digits: float = 0.0) -> float:
    """ODK rounds half away from zero (``round(-2.5)`` is -3), unlike Python."""
    if not math.isfinite(number) or not math.isfinite(digits):
        return math.nan
    scale = 10 ** int(digits)
    return math.copysign(math.floor(abs(number) * scale + 0.5) / scale, number)


def _finite(run: Callable[..., float]) -> Callable[..., float]:
    """NaN instead of an error (``sqrt(-1)``, ``log(0)``), as XPath arithmetic does."""

    def guarded(*numbers: float) -> float:
        try:
            return float(run(*numbers))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    return guarded


def _substr(text: str, start: float, end: float = math.inf) -> str:
    """``substr(s, start[, end])``: 0-based, end excluded (ODK)."""
    if math.isnan(start):
        return ""
    first = max(0, int(start))
    last = len(text) if not math.isfinite(end) else max(first, int(end))
    return text[first:last]


def _selected_at(text: str, index: float) -> str:
    items = text.split()
    return items[int(index)] if math.isfinite(index) and 0 <= index < len(items) else ""


def _translate(text: str, source: str, target: str) -> str:
    table = {}
    for position, char in enumerate(source):
        table.setdefault(ord(char), target[position] if position < len(target) else None)
    return text.translate(table)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _format_date(value, pattern: str) -> str:
    """``format-date(date, '%Y-%m-%d')`` with ODK's %Y %y %m %n %b %d %e %a."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return ""
    if not isinstance(value, date):
        return ""
    parts = {
        "Y": f"{value.year:04d}",
        "y": f"{value.year % 100:02d}",
        "m": f"{value.month:02d}",
        "n": str(value.month),
        "b": _MONTHS[value.month - 1],
        "d": f"{value.day:02d}",
        "e": str(value.day),
        "a": _DAYS[value.weekday()],
    }
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "%" and index + 1 < len(pattern):
            out.append(parts.get(pattern[index + 1], pattern[index : index + 2]))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


LIBRARY: dict[str, Function] = {
    "round": Function("nn", 1, 2, _round),
    "floor": Function("n", 1, 1, _finite(lambda n: float(math.floor(n)))),
    "ceiling": Function("n", 1, 1, _finite(lambda n: float(math.ceil(n)))),
    "abs": Function("n", 1, 1, abs),
    "pow": Function("nn", 2, 2, _finite(lambda a, b: math.pow(a, b))),
    "sqrt": Function("n", 1, 1, _finite(math.sqrt)),
    "exp": Function("n", 1, 1, _finite(math.exp)),
    "log": Function("n", 1, 1, _finite(math.log)),
    "log10": Function("n", 1, 1, _finite(math.log10)),
    "pi": Function("", 0, 0, lambda: math.pi),
    "max": Function("n", 1, None, lambda *numbers: max(numbers)),
    "min": Function("n", 1, None, lambda *numbers: min(numbers)),
    "boolean": Function("b", 1, 1, lambda value: value),
    "boolean-from-string": Function("s", 1, 1, lambda text: text.strip() in ("true", "1")),
    "contains": Function("ss", 2, 2, lambda text, part: part in text),
    "starts-with": Function("ss", 2, 2, lambda text, part: text.startswith(part)),
    "ends-with": Function("ss", 2, 2, lambda text, part: text.endswith(part)),
    "substr": Function("snn", 2, 3, _substr),
    "substring-before": Function("ss", 2, 2, lambda t, p: t.split(p, 1)[0] if p in t else ""),
    "substring-after": Function("ss", 2, 2, lambda t, p: t.split(p, 1)[1] if p in t else ""),
    "normalize-space": Function("s", 1, 1, lambda text: " ".join(text.split())),
    "translate": Function("sss", 3, 3, _translate),
    "selected-at": Function("sn", 2, 2, _selected_at),
    "once": Function("v", 1, 1, lambda value: value),
    "format-date": Function("vs", 2, 2, _format_date),
}
