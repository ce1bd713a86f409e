"""The review trail of translations: who checked a language, and when (docs/translations.md).

Kept where gettext tools and Weblate keep such things, never in the ``fuzzy`` flag (``pybabel
compile`` leaves fuzzy strings out, so a drafted string would vanish from the page):

- a catalog's header comment holds one line ``# Status: machine-drafted`` or
  ``# Status: reviewed 2026-12-01 by A. Reviewer`` (``pybabel update`` keeps header comments);
- each string a fluent speaker has checked carries the translator comment ``# reviewed
  2026-12-01`` (kept by ``pybabel update`` and shown by Weblate as the translator's note).

A survey records the same per content language in its ``translations:`` block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po, write_po

_STATUS = re.compile(
    r"^Status: (source|machine-drafted|reviewed)(?: (\d{4}-\d{2}-\d{2}))?(?: by (.+))?$"
)
_FORM = re.compile(r"^msgstr\[(\d+)\]", re.MULTILINE)
_MSGID = re.compile(r'^msgid "(.*)"$', re.MULTILINE)
_REVIEWED = re.compile(r"^reviewed \d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CatalogStatus:
    code: str
    #: "source" (English), "machine-drafted", "reviewed", or "unknown" (no status line)
    status: str
    reviewed_on: str | None
    reviewed_by: str | None
    strings: int
    translated: int
    reviewed: int

    @property
    def complete_percent(self) -> float:
        return 100.0 * self.translated / self.strings if self.strings else 100.0

    @property
    def reviewed_percent(self) -> float:
        return 100.0 * self.reviewed / self.strings if self.strings else 0.0


def _strings(message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _header_status(catalog) -> tuple[str, str | None, str | None]:
    for line in (catalog.header_comment or "").splitlines():
        found = _STATUS.match(line.lstrip("# ").strip())
        if found:
            return found.group(1), found.group(2), found.group(3)
    return "unknown", None, None


def _read(path: Path, code: str):
    with open(path, "rb") as handle:
        return read_po(handle, locale=code)


def catalog_status(path: Path, code: str) -> CatalogStatus:
    catalog = _read(path, code)
    status, on, by = _header_status(catalog)
    messages = [message for message in catalog if message.id]
    translated = [m for m in messages if all(text.strip() for text in _strings(m))]
    reviewed = [m for m in translated if any(_REVIEWED.match(c) for c in m.user_comments)]
    return CatalogStatus(code, status, on, by, len(messages), len(translated), len(reviewed))


def plural_problems(path: Path, code: str) -> list[str]:
    """Plural entries that do not have exactly the catalog's ``nplurals`` forms. Read from the
    text: Babel pads missing forms and drops extra ones, so its catalog cannot show either."""
    wanted = _read(path, code).num_plurals
    problems = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "\nmsgid_plural " not in block or block.lstrip().startswith("#~"):
            continue
        forms = {int(index) for index in _FORM.findall(block)}
        if forms != set(range(wanted)):
            msgid = _MSGID.search(block)
            name = msgid.group(1) if msgid else "?"
            problems.append(f"{code}: '{name}' has {len(forms)} plural forms, not {wanted}")
    return problems


def _set_header_status(catalog, line: str) -> None:
    kept = [
        text
        for text in (catalog.header_comment or "").splitlines()
        if not _STATUS.match(text.lstrip("# ").strip())
    ]
    # The status goes before the closing "#" line of Babel's header comment.
    at = len(kept) - 1 if kept and kept[-1].strip() == "#" else len(kept)
    kept.insert(at, f"# {line}")
    catalog.header_comment = "\n".join(kept)


def mark(path: Path, code: str, status: str, by: str | None = None, on: date | None = None) -> int:
    """Set a catalog's status; ``reviewed`` also marks every translated string reviewed that
    day (returns how many strings it marked)."""
    catalog = _read(path, code)
    marked = 0
    if status == "reviewed":
        day = (on or date.today()).isoformat()
        _set_header_status(catalog, f"Status: reviewed {day}" + (f" by {by}" if by else ""))
        for message in catalog:
            if not message.id or not all(text.strip() for text in _strings(message)):
                continue
            if not any(_REVIEWED.match(comment) for comment in message.user_comments):
                message.user_comments.append(f"reviewed {day}")
                marked += 1
    else:
        _set_header_status(catalog, f"Status: {status}")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=76)
    language_status.cache_clear()
    return marked


@lru_cache(maxsize=64)
def language_status(translations: Path, code: str) -> CatalogStatus | None:
    """The status of a shipped interface catalog (read once per process), None if none."""
    path = translations / code / "LC_MESSAGES" / "messages.po"
    return catalog_status(path, code) if path.exists() else None


def status_label(code: str, recorded=None) -> str:
    """A language's name with its review status, for staff choosing campaign languages:
    ``recorded`` is a survey's ``TranslationReview``; without one, the interface catalog's."""
    from flask_babel import gettext as _

    from portal import ROOT
    from portal.i18n import language_label

    name = language_label(code)
    status, day = (recorded.status, recorded.reviewed_on) if recorded else (None, None)
    if status is None:
        catalog = language_status(ROOT / "translations", code)
        status = catalog.status if catalog else None
        day = catalog.reviewed_on if catalog else None
    if status == "machine-drafted":
        return _("%(language)s (machine-drafted, not yet reviewed)", language=name)
    if status == "reviewed":
        return _("%(language)s (reviewed by a fluent speaker, %(day)s)", language=name, day=day)
    return name


#: The XLSForm settings-sheet column that carries a survey's ``translations`` block.
XLSFORM_COLUMN = "translation_status"


def translations_cell(translations: dict) -> str | None:
    """``en=source; ta=machine-drafted; ar=reviewed 2026-12-01 by A. Reviewer``."""
    parts = []
    for code, review in translations.items():
        text = f"{code}={review.status}"
        if review.reviewed_on:
            text += f" {review.reviewed_on.isoformat()}"
        if review.reviewed_by:
            text += f" by {review.reviewed_by}"
        parts.append(text)
    return "; ".join(parts) or None


def parse_translations_cell(text: str) -> dict[str, dict]:
    """The inverse of ``translations_cell``; the definition's validation checks the values."""
    found: dict[str, dict] = {}
    for part in filter(None, (piece.strip() for piece in str(text).split(";"))):
        code, _, rest = part.partition("=")
        status, _, rest = rest.strip().partition(" ")
        review: dict = {"status": status}
        day, _, by = rest.partition(" by ")
        if day.strip():
            review["reviewed_on"] = day.strip()
        if by.strip():
            review["reviewed_by"] = by.strip()
        found[code.strip()] = review
    return found
