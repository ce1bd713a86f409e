"""XLSForm import and export of survey definitions (DESIGN §5).

An XLSForm is a workbook with the sheets ``survey``, ``choices`` and ``settings``. We read and
write the common subset that our definition format (``definitions.py``) mirrors, so that
YAML → XLSX → YAML gives back an equal ``SurveySpec``:

* translated columns ``label::English (en)`` (and ``hint``, ``constraint_message``,
  ``required_message``; bare ``label`` means the default language) become ``{code: text}``;
* our extension columns ``risk_indicator``, ``risk_adverse`` (space-separated choice names),
  ``risk_adverse_when`` and ``risk_dimension`` become ``risk: {...}``;
* the settings sheet gives ``form_id``, ``version``, ``form_title`` (→ ``title``),
  ``default_language``, and our ``description``, ``audience`` and ``areas``;
* every other column is kept verbatim (question ``passthrough``, extra choice attributes,
  ``settings``) so that export writes it back.

Every type spelling pyxform accepts is understood (``xlsform_types``); metadata (``start``,
``deviceid``, ``username``, ...) is dropped with a warning, as the portal never records device
or respondent data. ``or_other`` and ``select_one_from_file`` (with the file attached) become
what pyxform makes of them: an "other" choice with a text question, and a choice list copied
into the form. A feature the portal cannot offer is *refused*, naming the row and the reason;
with ``skip_refused`` those questions are left out (with a warning) and the rest is imported.
A form without a ``version`` gets one derived from its content, so the same form always gets
the same version.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from portal.i18n import content_language
from portal.i18n_review import XLSFORM_COLUMN, parse_translations_cell
from portal.surveys.definitions import (
    DefinitionError,
    DefinitionInvalid,
    QuestionSpec,
    SurveySpec,
    parse_definition,
)
from portal.surveys.xlsform_repeats import unroll
from portal.surveys.xlsform_sources import SourceError, choice_file_rows, read_sheets
from portal.surveys.xlsform_types import RowType, classify
from portal.surveys.xlsform_write import (
    PLAIN_COLUMNS,
    RISK_COLUMNS,
    TEXT_COLUMNS,
    TITLE_TRANSLATIONS,
    language_column,
    write_xlsform,
)

__all__ = ["XLSFormWarning", "language_column", "read_xlsform", "write_xlsform"]


class XLSFormWarning(UserWarning):
    """Something in the workbook was left out on import (metadata questions)."""


#: pyxform's alternative spellings of the columns we map (case-insensitive).
SURVEY_ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
}
CHOICE_ALIASES = {"list name": "list_name", "caption": "label", "value": "name"}


def _language_code(text: str) -> str | None:
    """``English (en)``, ``Français (fr)``, ``(zh-Hans)``, ``French``, ``Kiswahili`` → our code
    (any language CLDR knows; ``en-GB`` → en and ``zh-CN`` → zh_Hans for shipped catalogs)."""
    text = text.strip()
    found = re.search(r"\(([^()]*)\)\s*$", text)
    if found:
        return content_language(found.group(1)) or content_language(text[: found.start()])
    return content_language(text)


# ---------------------------------------------------------------------------------------- read


@dataclass
class _Column:
    header: str
    #: type, name, text, plain, risk, list_name, missing, title, description, setting, pass
    kind: str
    field: str = ""
    #: Language code of a translated column; "" = the default language (bare column).
    language: str = ""


@dataclass
class _Sheet:
    name: str
    columns: list[_Column | None]
    #: (Excel row number, cell values) for each non-empty data row.
    rows: list[tuple[int, tuple]]


@dataclass
class _Reader:
    source: str
    warn: Callable[[str], None]
    attachments: Mapping[str, bytes] = field(default_factory=dict)
    errors: list[DefinitionError] = field(default_factory=list)
    #: Questions left out because the portal cannot offer them (see ``skip_refused``).
    refusals: list[DefinitionError] = field(default_factory=list)
    #: Language codes in order of first appearance; "" stands for the default language.
    languages: list[str] = field(default_factory=list)
    question_rows: list[int] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    choice_rows: dict[str, dict[Any, int]] = field(default_factory=dict)
    #: Lists that need pyxform's "other" choice (``or_other``).
    or_other_lists: set[str] = field(default_factory=set)
    #: Our list name → (attached file, row, parameters) for ``select_one_from_file``.
    file_lists: dict[str, tuple[str, int, dict]] = field(default_factory=dict)
    #: Lists read from the ``external_choices`` sheet (``select_one_external``).
    external_lists: dict[str, int] = field(default_factory=dict)

    def error(self, message: str, question: str | None = None, field_name: str | None = None):
        self.errors.append(DefinitionError(self.source, message, question, field_name))

    def refuse(self, message: str, question: str | None = None) -> None:
        self.refusals.append(DefinitionError(self.source, message, question, "type", True))

    def note(self, message: str) -> None:
        self.warn(f"{self.source}: {message}")

    def see_language(self, code: str) -> None:
        if code not in self.languages:
            self.languages.append(code)


def read_xlsform(
    path: str | Path,
    *,
    audience: str | None = None,
    areas: Iterable[str] | None = None,
    warn: Callable[[str], None] | None = None,
    validate: bool = True,
    attachments: Mapping[str, bytes] | None = None,
    skip_refused: bool = False,
    source: str | None = None,
) -> dict:
    """Read an XLSForm (``.xlsx``, ``.xls``, ``.csv`` or ``.md``) into a definition dict in our
    YAML format.

    ``audience`` and ``areas`` (our fields, absent from ordinary XLSForms) override the
    settings sheet's ``audience`` and ``areas`` columns. ``attachments`` maps file names to
    contents for ``select_one_from_file``. Dropped metadata questions are reported through
    ``warn`` (default: ``warnings.warn(..., XLSFormWarning)``). A question the portal cannot
    offer is an error marked ``refused``; with ``skip_refused`` it is left out with a warning
    instead. With ``validate`` (the default) the result is checked with ``parse_definition``.
    Every problem raises ``DefinitionInvalid`` whose errors name the file, the question and
    field where known, and the sheet row.
    """
    path = Path(path)
    source = source or str(path)
    reader = _Reader(
        source,
        warn or (lambda message: warnings.warn(message, XLSFormWarning, 2)),
        {Path(name).name.lower(): data for name, data in (attachments or {}).items()},
    )
    sheets = _load_sheets(path, reader)
    survey, choices, settings = sheets.get("survey"), sheets.get("choices"), sheets.get("settings")
    if survey is None:
        raise DefinitionInvalid([DefinitionError(source, "the workbook has no 'survey' sheet")])

    survey.columns = [_survey_column(h, reader) for h in _headers(survey, reader)]
    for sheet in (choices, sheets.get("external_choices")):
        if sheet is not None:
            sheet.columns = [_choice_column(h, reader, sheet.name) for h in _headers(sheet, reader)]
    if settings is not None:
        settings.columns = [_setting_column(h, reader) for h in _headers(settings, reader)]

    data = _read_settings(settings, reader, path)
    default = data["default_language"]
    languages = [code or default for code in reader.languages]
    if default and default not in languages and not reader.languages:
        languages.append(default)
    data["languages"] = list(dict.fromkeys(code for code in languages if code))
    if audience is not None:
        data["audience"] = audience
    if areas is not None:
        data["areas"] = list(areas)
    if not data["title"]:
        # As pyxform does: a form without form_title is titled by its form_id.
        data["title"] = {default: data["form_id"]}
        reader.note(f"settings sheet: no form_title; the form is titled '{data['form_id']}'")
    untitled = [code for code in data["languages"] if code not in data["title"]]
    if data["title"].get(default) and untitled:
        # XLSForm has no translated title: ordinary forms have one form_title for all.
        reader.note(
            f"settings sheet: no title in {', '.join(untitled)}; "
            f"form_title is used for {'it' if len(untitled) == 1 else 'them'}"
        )
        data["title"].update((code, data["title"][default]) for code in untitled)
    data["questions"] = reader.questions = _read_questions(
        survey, reader, default, data.get("audience"), data["languages"]
    )
    data["choices"] = _read_choices(choices, reader, default)
    _add_file_lists(data["choices"], reader, default)
    external = sheets.get("external_choices")
    if external is not None:
        for list_name, items in _read_choices(external, reader, default).items():
            if list_name in reader.external_lists:
                data["choices"].setdefault(list_name, items)
    for list_name, row in reader.external_lists.items():
        if list_name not in data["choices"]:
            reader.error(
                f"survey sheet row {row}: no list '{list_name}' in the external_choices sheet",
                field_name="type",
            )
    _add_other_choices(data["choices"], reader, data["languages"])
    data["questions"], reader.question_rows = unroll(
        data["questions"],
        reader.question_rows,
        data["choices"],
        data["languages"],
        catalog_text,
        reader.note,
        lambda message, name: reader.error(message, name, "type"),
    )
    reader.questions = data["questions"]
    if not data["settings"]:
        del data["settings"]
    if not data["choices"]:
        del data["choices"]
    if reader.refusals and skip_refused:
        for refusal in reader.refusals:
            reader.note(f"{refusal.message}: left out")
    elif reader.refusals:
        reader.errors.extend(reader.refusals)
    if "version" not in data:
        data["version"] = _content_version(data)
        reader.note(
            f"settings sheet: no version; this form is version {data['version']} (made from its "
            "content, so the same form always gets the same version)"
        )
    data = _ordered(data, SurveySpec)
    if reader.errors:
        raise DefinitionInvalid(sorted(reader.errors, key=_row_order))
    if validate:
        try:
            parse_definition(data, source)
        except DefinitionInvalid as invalid:
            raise DefinitionInvalid([_locate(error, reader) for error in invalid.errors]) from None
    return data


def _row_order(error: DefinitionError) -> tuple[int, int]:
    """Survey sheet problems in row order first (mistakes and refusals mixed), then the rest."""
    found = re.match(r"survey sheet row (\d+):", error.message)
    return (0, int(found.group(1))) if found else (1, 0)


def _content_version(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:10]


def _load_sheets(path: Path, reader: _Reader) -> dict[str, _Sheet]:
    try:
        found = read_sheets(path)
    except SourceError as error:
        raise DefinitionInvalid([DefinitionError(reader.source, str(error))]) from None
    return {name: _Sheet(name, list(header), rows) for name, (header, rows) in found.items()}


def _headers(sheet: _Sheet, reader: _Reader) -> list[str]:
    headers = []
    seen: set[str] = set()
    for index, value in enumerate(sheet.columns):
        header = "" if _blank(value) else str(value).strip()
        if header and header.lower() in seen:
            reader.error(
                f"{sheet.name} sheet: column '{header}' appears twice (column {index + 1})",
                field_name=header,
            )
            header = ""
        seen.add(header.lower())
        headers.append(header)
    return headers


def _split(header: str) -> tuple[str, str | None]:
    base, sep, rest = header.partition("::")
    return base.strip().lower(), (rest if sep else None)


def _translated(header, base, rest, field_name, reader, sheet, kind="text") -> _Column:
    if rest is None:
        # A bare form_title is the one title of ordinary forms, not a default-language column.
        if sheet != "settings":
            reader.see_language("")
        return _Column(header, kind, field_name, "")
    code = _language_code(rest)
    if code is None:
        reader.error(
            f"{sheet} sheet, column '{header}': no language is called '{rest.strip()}'; name "
            "it with its code in brackets, for example 'Kiswahili (sw)' or 'English (en)'",
            field_name=header,
        )
        return _Column(header, "ignore")
    reader.see_language(code)
    return _Column(header, kind, field_name, code)


def _survey_column(header: str, reader: _Reader) -> _Column | None:
    if not header:
        return None
    base, rest = _split(header)
    base = SURVEY_ALIASES.get(base, base)
    if base in TEXT_COLUMNS:
        return _translated(header, base, rest, base, reader, "survey")
    if rest is None:
        if base in ("type", "name"):
            return _Column(header, base, base)
        if base in PLAIN_COLUMNS:
            return _Column(header, "plain", base)
        if base in RISK_COLUMNS:
            return _Column(header, "risk", RISK_COLUMNS[base])
    return _Column(header, "pass", header)


def _choice_column(header: str, reader: _Reader, sheet: str = "choices") -> _Column | None:
    if not header:
        return None
    base, rest = _split(header)
    base = CHOICE_ALIASES.get(base, base)
    if base == "label":
        return _translated(header, base, rest, "label", reader, sheet)
    if rest is None and base in ("list_name", "name", "missing"):
        return _Column(header, base, base)
    return _Column(header, "pass", header)


def _setting_column(header: str, reader: _Reader) -> _Column | None:
    if not header:
        return None
    base, rest = _split(header)
    if base in ("form_title", TITLE_TRANSLATIONS, "description"):
        kind = "description" if base == "description" else "title"
        return _translated(header, base, rest, base, reader, "settings", kind)
    if rest is None and base in ("form_id", "version", "default_language", "audience", "areas"):
        return _Column(header, "setting", base)
    return _Column(header, "pass", header)


def _cells(sheet: _Sheet, values: tuple) -> Iterable[tuple[_Column, Any]]:
    for column, value in zip(sheet.columns, values, strict=False):
        if column is not None and column.kind != "ignore" and not _blank(value):
            yield column, value


def _read_settings(sheet: _Sheet | None, reader: _Reader, path: Path) -> dict:
    found: dict[str, Any] = {}
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    passthrough: dict[str, Any] = {}
    values = sheet.rows[0][1] if sheet is not None and sheet.rows else ()
    for column, value in _cells(sheet, values) if sheet is not None else ():
        if column.kind == "setting":
            found[column.field] = value
        elif column.kind in ("title", "description"):
            target = title if column.kind == "title" else description
            target.setdefault(column.language, _text(value))
        elif column.kind == "pass":
            passthrough[column.header] = _native(value)

    raw_default = _text(found.get("default_language", ""))
    default = ""
    if raw_default and raw_default.lower() != "default":
        default = _language_code(raw_default) or ""
        if not default:
            reader.error(
                f"settings sheet: default language '{raw_default}' is not supported",
                field_name="default_language",
            )
    if not default:
        named = [code for code in reader.languages if code]
        if "" in reader.languages or not named:
            default = "en"
            if "" in reader.languages:
                reader.note(
                    "settings sheet: no default_language; the columns without a language "
                    "(such as 'label') are taken as English (en)"
                )
        else:
            default = named[0]
    form_id = _text(found.get("form_id", "")) or path.stem
    data: dict[str, Any] = {
        "form_id": re.sub(r"[^a-z0-9_-]", "-", form_id.lower()),
        "version": _text(found["version"]) if "version" in found else None,
        "title": _by_language(title, default),
        "description": _by_language(description, default) or None,
        "audience": _text(found["audience"]) if "audience" in found else None,
        "areas": re.split(r"[\s,;]+", _text(found["areas"]).strip()) if "areas" in found else [],
        "default_language": default,
        "settings": passthrough,
    }
    if XLSFORM_COLUMN in passthrough:
        data["translations"] = parse_translations_cell(passthrough.pop(XLSFORM_COLUMN))
    if data["version"] is None:
        del data["version"]
    if data["description"] is None:
        del data["description"]
    if data["audience"] is None:
        del data["audience"]
    return data


def _by_language(texts: dict[str, str], default: str) -> dict[str, str]:
    """Bare columns count for the default language unless it has its own column."""
    result = {default: texts[""]} if "" in texts else {}
    result.update((code, text) for code, text in texts.items() if code and text)
    return {code: text for code, text in result.items() if text}


def _read_questions(
    sheet: _Sheet, reader: _Reader, default: str, audience: str | None, languages: list[str]
) -> list[dict]:
    questions = []
    #: Depth inside a refused block: its rows are left out with it.
    skipping = 0
    in_repeat = False
    for number, values in sheet.rows:
        cells = list(_cells(sheet, values))
        raw_type = next((_text(value) for column, value in cells if column.kind == "type"), "")
        name = next((_text(value).strip() for column, value in cells if column.kind == "name"), "")
        where = f"survey sheet row {number}"
        if not raw_type:
            if not skipping:
                reader.error(f"{where}: the type is empty", name or None, "type")
            continue
        row = classify(raw_type, audience)
        if skipping:
            if row.kind == "begin repeat" or row.type == "begin group":
                skipping += 1
            elif row.kind == "end repeat" or row.type == "end group":
                skipping -= 1
            continue
        if row.kind == "metadata":
            reader.note(
                f"{where}: '{row.feature}' ({name or 'unnamed'}) dropped: metadata "
                "would identify or track respondents, and the portal never stores device data"
            )
            continue
        if row.kind == "dropped":
            reader.note(f"{where}: '{row.feature}' ({name or 'unnamed'}) dropped: {row.reason}")
            continue
        if row.kind == "unknown":
            reason = f": {row.reason}" if row.reason else ""
            reader.error(f"{where}: unknown type '{row.feature}'{reason}", name or None, "type")
            continue
        if row.kind == "begin repeat" and in_repeat:
            skipping = 1
            reader.refuse(
                f"{where}: '{row.feature}' ({name or 'unnamed'}) and the questions in it: a "
                "repeat inside a repeat cannot be answered screen by screen; ask it once",
                name or None,
            )
            continue
        if row.kind in ("begin repeat", "end repeat"):
            # Unrolled into numbered groups once the choices are read (xlsform_repeats).
            in_repeat = row.kind == "begin repeat"
            marker = _question(row, name, cells, reader, default, where)
            marker["type"] = row.kind
            count = next((marker.get("passthrough", {}).pop(key) for key in list(
                marker.get("passthrough", {})) if key.lower() in REPEAT_COUNT), None)  # fmt: skip
            if not marker.get("passthrough"):
                marker.pop("passthrough", None)
            if row.kind == "begin repeat":
                marker.update(repeat_count=count, loop_list=row.loop_list)
            questions.append(marker)
            reader.question_rows.append(number)
            continue
        if row.kind == "refused":
            reader.refuse(
                f"{where}: '{row.feature}' ({name or 'unnamed'}): {row.reason}", name or None
            )
            continue
        question = _question(row, name, cells, reader, default, where)
        list_name = question["type"].split()[1] if " " in question["type"] else None
        if row.source_file and list_name:
            # value= and label= name the file's columns: used here, not kept.
            parameters = question.pop("parameters", None) or {}
            reader.file_lists[list_name] = (row.source_file, number, parameters)
        questions.append(_ordered(question, QuestionSpec))
        reader.question_rows.append(number)
        if row.external and list_name:
            reader.external_lists.setdefault(list_name, number)
        if row.or_other and list_name and name:
            if question.get("choice_filter"):
                reader.error(f"{where}: a choice filter cannot go with or_other", name, "type")
            reader.or_other_lists.add(list_name)
            questions.append(_other_question(name, languages))
            reader.question_rows.append(number)
    return questions


def _question(row: RowType, name: str, cells, reader: _Reader, default: str, where: str) -> dict:
    kind = row.type
    if row.source_file:
        # The choices are copied into the form, under the file's name without its extension.
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(row.source_file).stem) or "file"
        kind = f"{kind.split()[0]} {stem if stem[0].isalpha() else '_' + stem}"
    question: dict[str, Any] = {"type": kind}
    if name:
        question["name"] = name
    texts: dict[str, dict[str, str]] = {}
    risk: dict[str, Any] = {}
    passthrough: dict[str, Any] = {}
    for column, value in cells:
        if column.kind == "text":
            texts.setdefault(column.field, {})[column.language] = _text(value)
        elif column.kind == "plain":
            problem = _plain(question, column.field, value)
            if problem:
                reader.error(f"{where}: {problem}", name or None, column.field)
        elif column.kind == "risk":
            text = _text(value).strip()
            risk[column.field] = text.split() if column.field == "adverse" else text
        elif column.kind == "pass":
            passthrough[column.header] = _native(value)
    for field_name in TEXT_COLUMNS:
        if field_name in texts:
            question[field_name] = _by_language(texts[field_name], default)
    if risk:
        question["risk"] = risk
    if passthrough:
        question["passthrough"] = passthrough
    return question


def N_(message: str) -> str:  # gettext's name for "extract now, translate later"
    return message


#: pyxform's spellings of the repeat_count column.
REPEAT_COUNT = ("repeat_count", "jr:count", "count")

#: What pyxform adds for ``or_other`` (its English words; ours per catalog where we have one).
OTHER_CHOICE = N_("Other")
OTHER_QUESTION = N_("Specify other.")


def _other_question(name: str, languages: list[str]) -> dict:
    return {
        "type": "text",
        "name": f"{name}_other",
        "label": {code: catalog_text(OTHER_QUESTION, code) for code in languages},
        "relevant": f"selected(${{{name}}}, 'other')",
    }


def _add_other_choices(lists: dict[str, list[dict]], reader: _Reader, languages: list[str]):
    for list_name in sorted(reader.or_other_lists):
        items = lists.get(list_name)
        if items is None or any(item["name"] == "other" for item in items):
            continue
        label = {code: catalog_text(OTHER_CHOICE, code) for code in languages}
        items.append({"name": "other", "label": label})


def catalog_text(message: str, code: str) -> str:
    """``message`` from the interface catalog of ``code`` (English where we ship none)."""
    from babel.support import Translations

    from portal import ROOT

    translations = Translations.load(str(ROOT / "translations"), [code.replace("-", "_")])
    return translations.gettext(message) or message


def _add_file_lists(lists: dict[str, list[dict]], reader: _Reader, default: str) -> None:
    """The choices of ``select_one_from_file`` questions, from the files attached."""
    for list_name, (file_name, row, parameters) in reader.file_lists.items():
        where = f"survey sheet row {row}"
        data = reader.attachments.get(Path(file_name).name.lower())
        if data is None:
            reader.error(
                f"{where}: attach the file '{file_name}' that holds the choices of this question",
                field_name="type",
            )
            continue
        try:
            header, rows = choice_file_rows(file_name, data)
        except SourceError as error:
            reader.error(f"{file_name}: {error}", field_name="type")
            continue
        renamed = {str(parameters.get("value", "name")): "name"}
        renamed[str(parameters.get("label", "label"))] = "label"
        header = tuple(renamed.get(str(cell), cell) for cell in header)
        sheet = _Sheet(file_name, [], [(number, (list_name, *values)) for number, values in rows])
        sheet.columns = [
            _choice_column(str(cell), reader, file_name) for cell in ("list_name", *header)
        ]
        for name, items in _read_choices(sheet, reader, default).items():
            if name in lists and lists[name] != items:
                reader.error(
                    f"{where}: the choices sheet already has a list '{name}'", field_name="type"
                )
            lists[name] = items


def _plain(question: dict, field_name: str, value: Any) -> str | None:
    if field_name == "required":
        question["required"] = _yes_no(value)
    elif field_name == "default":
        native = _native(value)
        question["default"] = _text(native) if isinstance(native, bool) else native
    elif field_name == "parameters":
        text = _text(value).strip()
        pairs = re.findall(r"([A-Za-z_][\w-]*)\s*=\s*([^\s;,=]+)", text)
        leftover = re.sub(r"([A-Za-z_][\w-]*)\s*=\s*([^\s;,=]+)|[\s;,]", "", text)
        if not pairs or leftover:
            return f"cannot read parameters '{text}'; write them as 'start=1 end=5 step=1'"
        question["parameters"] = {key: _number(raw) for key, raw in pairs}
    else:
        question[field_name] = _text(value)
    return None


def _read_choices(sheet: _Sheet | None, reader: _Reader, default: str) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    if sheet is None:
        return lists
    for number, values in sheet.rows:
        where = (
            f"{sheet.name} line {number}"
            if "." in sheet.name
            else (f"{sheet.name} sheet row {number}")
        )
        cells = list(_cells(sheet, values))
        list_name = next((_text(v).strip() for c, v in cells if c.kind == "list_name"), "")
        name = next((_name(v) for c, v in cells if c.kind == "name"), "")
        if not list_name:
            reader.error(f"{where}: the list_name is empty", field_name="choices")
            continue
        if not name:
            reader.error(f"{where}: the name is empty", field_name=f"choices.{list_name}")
            continue
        choice: dict[str, Any] = {"name": name}
        label: dict[str, str] = {}
        extras: dict[str, Any] = {}
        for column, value in cells:
            if column.kind == "text":
                label[column.language] = _text(value)
            elif column.kind == "missing":
                missing = _yes_no(value)
                if not isinstance(missing, bool):
                    reader.error(
                        f"{where}: 'missing' must be yes or no, not '{missing}'",
                        field_name=f"choices.{list_name}.{name}.missing",
                    )
                elif missing:
                    choice["missing"] = True
            elif column.kind == "pass":
                extras[column.header] = _native(value)
        choice["label"] = _by_language(label, default)
        choice = {"name": name, "label": choice["label"], **choice, **extras}
        rows = reader.choice_rows.setdefault(list_name, {})
        rows.setdefault(name, number)
        rows[len(lists.get(list_name, []))] = number
        lists.setdefault(list_name, []).append(choice)
    return lists


def _locate(error: DefinitionError, reader: _Reader) -> DefinitionError:
    """Add the sheet row to a ``parse_definition`` error about the imported dict."""
    where = None
    if error.question:
        # parse_definition names questions by name, or "#n" for a nameless n-th row.
        index = None
        if error.question.startswith("#") and error.question[1:].isdigit():
            index = int(error.question[1:]) - 1
        else:
            names = [question.get("name") for question in reader.questions]
            index = names.index(error.question) if error.question in names else None
        if index is not None and 0 <= index < len(reader.question_rows):
            where = f"survey sheet row {reader.question_rows[index]}"
    elif error.field and error.field.startswith("choices."):
        parts = error.field.split(".")
        rows = reader.choice_rows.get(parts[1], {}) if len(parts) > 2 else {}
        key = int(parts[2]) if parts[2].isdigit() and int(parts[2]) in rows else parts[2]
        if key in rows:
            where = f"choices sheet row {rows[key]}"
    elif error.field and error.field.split(".")[0] in (
        "form_id",
        "version",
        "title",
        "description",
        "audience",
        "areas",
        "default_language",
        "languages",
    ):
        where = "settings sheet"
    if where is None:
        return error
    return DefinitionError(error.source, f"{where}: {error.message}", error.question, error.field)


def _ordered(data: dict, model: type[BaseModel]) -> dict:
    """Keys in the order of the schema's fields, as in our YAML files."""
    order = {key: index for index, key in enumerate(model.model_fields)}
    return dict(sorted(data.items(), key=lambda item: order.get(item[0], len(order))))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _native(value: Any) -> Any:
    """A cell value as YAML keeps it: text, int, float, bool; dates as ISO text."""
    if isinstance(value, datetime):
        return value.isoformat() if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> str:
    value = _native(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _name(value: Any) -> str:
    """Choice names stay text: ``1`` → ``"1"``, ``yes`` → ``"yes"``."""
    return _text(value).strip()


def _number(text: str) -> int | float | str:
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _yes_no(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    text = _text(value).strip()
    if text.lower() in ("yes", "true", "true()", "1"):
        return True
    if text.lower() in ("no", "false", "false()", "0", ""):
        return False
    return text
