"""Warnings about a definition's text that YAML accepts but a person probably did not mean."""

from __future__ import annotations

import re

_KEY = re.compile(r"^(\s*)([A-Za-z_][\w-]*):(\s|$)")
#: Keys that read as a language code (en, fil, zh_Hans, pt_BR): the keys of a label's texts.
_LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")


def _neighbour(lines: list[str], start: int, step: int) -> int | None:
    index = start + step
    while 0 <= index < len(lines):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index
        index += step
    return None


def split_label_warnings(text: str) -> list[str]:
    """Comments that sit between two language texts of one label, indented like the next
    question: somebody meant them for the question below, and the label now reads as two."""
    lines = text.splitlines()
    warnings = []
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if not stripped.startswith("#"):
            continue
        before, after = _neighbour(lines, number, -1), _neighbour(lines, number, 1)
        if before is None or after is None:
            continue
        above, below = _KEY.match(lines[before]), _KEY.match(lines[after])
        if not (above and below) or len(above.group(1)) != len(below.group(1)):
            continue
        if len(line) - len(stripped) >= len(above.group(1)):
            continue  # a comment indented with the texts is a note about them
        if _LANGUAGE_KEY.match(above.group(2)) and _LANGUAGE_KEY.match(below.group(2)):
            warnings.append(
                f"line {number + 1}: this comment splits a label between its "
                f"'{above.group(2)}' and '{below.group(2)}' texts; move it above the question"
            )
    return warnings
