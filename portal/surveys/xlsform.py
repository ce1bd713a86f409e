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

Features the portal does not have (repeats, GPS, media capture, select from file, ...) are
errors naming the feature and its row. Metadata types (``start``, ``deviceid``, ``username``,
...) are dropped with a warning: the portal never records device or respondent data.
"""

from __future__ import annotations

import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from portal.i18n import LANGUAGES, bcp47, parse_language
from portal.surveys.definitions import (
    DefinitionError,
    DefinitionInvalid,
    QuestionSpec,
    SurveySpec,
    parse_definition,
)

__all__ = ["XLSFormWarning", "language_column", "read_xlsform", "write_xlsform"]


class XLSFormWarning(UserWarning):
    """Something in the workbook was left out on import (metadata questions)."""


#: Translated question columns, in export order (``definitions.TEXT_FIELDS``).
TEXT_COLUMNS = ("label", "hint", "required_message", "constraint_message")
#: Plain question columns, in export order, after ``type``, ``name`` and the texts.
PLAIN_COLUMNS = (
    "required",
    "relevant",
    "constraint",
    "appearance",
    "choice_filter",
    "default",
    "calculation",
    "parameters",
)
#: Our risk mapping (DESIGN §6) in extra survey columns.
RISK_COLUMNS = {
    "risk_indicator": "indicator",
    "risk_adverse": "adverse",
    "risk_adverse_when": "adverse_when",
    "risk_dimension": "dimension",
}
#: Settings columns for the title in the other languages: pyxform fails on ``form_title::..``
#: (XLSForm has no translated form title), so export uses our own column; import reads both.
TITLE_TRANSLATIONS = "translated_title"
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

SIMPLE_TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "range": "range",
    "text": "text",
    "string": "text",
    "date": "date",
    "note": "note",
    "acknowledge": "acknowledge",
    "trigger": "acknowledge",
    "calculate": "calculate",
    "file": "file",
    "begin group": "begin group",
    "begin_group": "begin group",
    "end group": "end group",
    "end_group": "end group",
}
SELECT_KEYWORDS = {
    "select_one": "select_one",
    "select one": "select_one",
    "select1": "select_one",
    "select_multiple": "select_multiple",
    "select all that apply": "select_multiple",
}
#: Metadata that identifies or tracks a respondent or their device: dropped, never stored.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "imei",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "background-geopoint",
}
#: XLSForm features the portal does not have; any other unknown type is an error as well.
UNSUPPORTED_TYPES = {
    spelling: spelling.replace("_", " ") if spelling.startswith(("begin_", "end_")) else spelling
    for spelling in (
        "begin repeat",
        "begin_repeat",
        "end repeat",
        "end_repeat",
        "begin loop",
        "begin_loop",
        "end loop",
        "end_loop",
        "select_one_from_file",
        "select_multiple_from_file",
        "select_one_external",
        "rank",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "photo",
        "audio",
        "video",
        "barcode",
        "time",
        "datetime",
        "hidden",
        "xml-external",
        "csv-external",
        "osm",
        "entity",
    )
} | {
    "select one from file": "select_one_from_file",
    "select multiple from file": "select_multiple_from_file",
}

#: English names of the shipped languages, for headers written without a code in parentheses.
ENGLISH_NAMES = {
    "english": "en",
    "spanish": "es",
    "french": "fr",
    "arabic": "ar",
    "bengali": "bn",
    "bangla": "bn",
    "hindi": "hi",
    "urdu": "ur",
    "nepali": "ne",
    "burmese": "my",
    "myanmar": "my",
    "khmer": "km",
    "vietnamese": "vi",
    "chinese": "zh_Hans",
    "chinese (simplified)": "zh_Hans",
    "simplified chinese": "zh_Hans",
}


def language_column(field_name: str, code: str) -> str:
    """``label::Français (fr)``: the endonym and the BCP 47 code, as ODK tools expect."""
    return f"{field_name}::{language_name(code)}"


def language_name(code: str) -> str:
    return f"{LANGUAGES[code]} ({bcp47(code)})"


def _language_code(text: str) -> str | None:
    """``English (en)``, ``Français (fr)``, ``(zh-Hans)``, ``French`` → a shipped code."""
    text = text.strip()
    found = re.search(r"\(([^()]*)\)\s*$", text)
    if found:
        tag = found.group(1).strip()
        # Also ``en-GB`` → en, ``zh`` / ``zh-CN`` → zh_Hans: the one shipped code for the language.
        primary = [code for code in LANGUAGES if code.split("_")[0] == re.split("[-_]", tag)[0]]
        return parse_language(tag) or (primary[0] if len(primary) == 1 else None)
    lowered = text.lower()
    for code, endonym in LANGUAGES.items():
        if endonym.lower() == lowered:
            return code
    return ENGLISH_NAMES.get(lowered) or parse_language(text)


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
    errors: list[DefinitionError] = field(default_factory=list)
    #: Language codes in order of first appearance; "" stands for the default language.
    languages: list[str] = field(default_factory=list)
    question_rows: list[int] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    choice_rows: dict[str, dict[Any, int]] = field(default_factory=dict)

    def error(self, message: str, question: str | None = None, field_name: str | None = None):
        self.errors.append(DefinitionError(self.source, message, question, field_name))

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
) -> dict:
    """Read an XLSForm workbook into a definition dict in our YAML format.

    ``audience`` and ``areas`` (our fields, absent from ordinary XLSForms) override the
    settings sheet's ``audience`` and ``areas`` columns. Dropped metadata questions are
    reported through ``warn`` (default: ``warnings.warn(..., XLSFormWarning)``). With
    ``validate`` (the default) the result is checked with ``parse_definition``. Every problem
    raises ``DefinitionInvalid`` whose errors name the file, the question and field where
    known, and the sheet row.
    """
    path = Path(path)
    source = str(path)
    reader = _Reader(source, warn or (lambda message: warnings.warn(message, XLSFormWarning, 2)))
    sheets = _load_sheets(path, reader)
    survey, choices, settings = sheets.get("survey"), sheets.get("choices"), sheets.get("settings")
    if survey is None:
        raise DefinitionInvalid([DefinitionError(source, "the workbook has no 'survey' sheet")])

    survey.columns = [_survey_column(h, reader) for h in _headers(survey, reader)]
    if choices is not None:
        choices.columns = [_choice_column(h, reader) for h in _headers(choices, reader)]
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
    untitled = [code for code in data["languages"] if code not in data["title"]]
    if data["title"].get(default) and untitled:
        # XLSForm has no translated title: ordinary forms have one form_title for all.
        reader.note(
            f"settings sheet: no title in {', '.join(untitled)}; "
            f"form_title is used for {'it' if len(untitled) == 1 else 'them'}"
        )
        data["title"].update((code, data["title"][default]) for code in untitled)
    data["questions"] = reader.questions = _read_questions(survey, reader, default)
    data["choices"] = _read_choices(choices, reader, default)
    if not data["settings"]:
        del data["settings"]
    if not data["choices"]:
        del data["choices"]
    data = _ordered(data, SurveySpec)
    if reader.errors:
        raise DefinitionInvalid(reader.errors)
    if validate:
        try:
            parse_definition(data, source)
        except DefinitionInvalid as invalid:
            raise DefinitionInvalid([_locate(error, reader) for error in invalid.errors]) from None
    return data


def _load_sheets(path: Path, reader: _Reader) -> dict[str, _Sheet]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise DefinitionInvalid([DefinitionError(reader.source, "no such file")]) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise DefinitionInvalid(
            [DefinitionError(reader.source, "not an .xlsx workbook (save .xls files as .xlsx)")]
        ) from None
    try:
        sheets = {}
        for worksheet in workbook.worksheets:
            name = worksheet.title.strip().lower()
            if name not in ("survey", "choices", "settings") or name in sheets:
                continue
            # Some spreadsheet tools write a wrong size into the file: read every row.
            worksheet.reset_dimensions()
            rows = []
            header: tuple = ()
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if number == 1:
                    header = values
                elif any(not _blank(value) for value in values):
                    rows.append((number, values))
            sheets[name] = _Sheet(name, list(header), rows)
    finally:
        workbook.close()
    return sheets


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
        reader.see_language("")
        return _Column(header, kind, field_name, "")
    code = _language_code(rest)
    if code is None:
        supported = ", ".join(language_name(code) for code in LANGUAGES)
        reader.error(
            f"{sheet} sheet, column '{header}': language '{rest.strip()}' is not supported "
            f"(supported: {supported})",
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


def _choice_column(header: str, reader: _Reader) -> _Column | None:
    if not header:
        return None
    base, rest = _split(header)
    base = CHOICE_ALIASES.get(base, base)
    if base == "label":
        return _translated(header, base, rest, "label", reader, "choices")
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


def _read_questions(sheet: _Sheet, reader: _Reader, default: str) -> list[dict]:
    questions = []
    in_repeat = 0
    for number, values in sheet.rows:
        cells = list(_cells(sheet, values))
        raw_type = next((_text(value) for column, value in cells if column.kind == "type"), "")
        name = next((_text(value).strip() for column, value in cells if column.kind == "name"), "")
        where = f"survey sheet row {number}"
        if not raw_type:
            reader.error(f"{where}: the type is empty", name or None, "type")
            continue
        kind, feature = _question_type(raw_type)
        if kind == "metadata":
            reader.note(
                f"{where}: '{feature}' ({name or 'unnamed'}) dropped: metadata "
                "would identify or track respondents, and the portal never stores device data"
            )
            continue
        if kind == "unknown":
            reader.error(f"{where}: unknown type '{feature}'", name or None, "type")
            continue
        if kind == "unsupported":
            if feature in ("end repeat", "end loop") and in_repeat:
                in_repeat -= 1
                continue
            if feature in ("begin repeat", "begin loop"):
                in_repeat += 1
            reader.error(f"{where}: '{feature}' is not supported", name or None, "type")
            continue
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
        questions.append(_ordered(question, QuestionSpec))
        reader.question_rows.append(number)
    return questions


def _question_type(raw: str) -> tuple[str, str]:
    """(our type, "") or ("metadata" | "unsupported", the feature's name)."""
    text = " ".join(raw.split())
    lowered = text.lower()
    if lowered in SIMPLE_TYPES:
        return SIMPLE_TYPES[lowered], ""
    if lowered in METADATA_TYPES:
        return "metadata", lowered
    for keyword, ours in SELECT_KEYWORDS.items():
        if lowered.startswith(keyword + " "):
            rest = text[len(keyword) + 1 :].split()
            if len(rest) == 1:
                return f"{ours} {rest[0]}", ""
            if len(rest) == 2 and rest[1].lower() == "or_other":
                return "unsupported", "or_other"
            return "unsupported", text
    for spelling in sorted(UNSUPPORTED_TYPES, key=len, reverse=True):
        if lowered == spelling or lowered.startswith(spelling + " "):
            return "unsupported", UNSUPPORTED_TYPES[spelling]
    return "unknown", text


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
        where = f"choices sheet row {number}"
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


# --------------------------------------------------------------------------------------- write


def write_xlsform(spec_or_dict: SurveySpec | dict, path: str | Path) -> Path:
    """Write a definition as an XLSForm workbook (survey, choices, settings) at ``path``.

    Columns: ``type``, ``name``, every translated field as ``label::<endonym> (<code>)`` for
    each language of the survey, the plain XLSForm columns in use, our ``risk_*`` columns and
    the passthrough columns kept from an import. A dict is validated first.
    """
    spec = (
        spec_or_dict
        if isinstance(spec_or_dict, SurveySpec)
        else parse_definition(spec_or_dict, "<definition>")
    )
    path = Path(path)
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write_rows(survey, *_survey_table(spec))
    _write_rows(workbook.create_sheet("choices"), *_choices_table(spec))
    _write_rows(workbook.create_sheet("settings"), *_settings_table(spec))
    workbook.save(path)
    return path


def _survey_table(spec: SurveySpec) -> tuple[list[str], list[dict]]:
    rows = []
    for question in spec.questions:
        row: dict[str, Any] = {"type": question.type, "name": question.name}
        for field_name in TEXT_COLUMNS:
            for code, text in (getattr(question, field_name) or {}).items():
                row[language_column(field_name, code)] = text
        if question.required is not False:
            row["required"] = "yes" if question.required is True else question.required
        for field_name in PLAIN_COLUMNS[1:]:
            value = getattr(question, field_name)
            if field_name == "parameters" and value:
                value = " ".join(f"{key}={number}" for key, number in value.items())
            row[field_name] = value
        if question.risk:
            risk = question.risk
            row["risk_indicator"] = risk.indicator
            row["risk_adverse"] = " ".join(risk.adverse) if risk.adverse is not None else None
            row["risk_adverse_when"] = risk.adverse_when
            row["risk_dimension"] = risk.dimension
        row.update(question.passthrough)
        rows.append(row)
    texts = [language_column(f, code) for f in TEXT_COLUMNS for code in spec.languages]
    fixed = ["type", "name", *texts, *PLAIN_COLUMNS, *RISK_COLUMNS]
    return _used_columns(fixed, rows, always=("type", "name", texts[0])), rows


def _choices_table(spec: SurveySpec) -> tuple[list[str], list[dict]]:
    rows = []
    for list_name, choices in spec.choices.items():
        for choice in choices:
            row: dict[str, Any] = {"list_name": list_name, "name": choice.name}
            for code, text in choice.label.items():
                row[language_column("label", code)] = text
            row["missing"] = "yes" if choice.missing else None
            row.update(choice.model_extra or {})
            rows.append(row)
    labels = [language_column("label", code) for code in spec.languages]
    fixed = ["list_name", "name", *labels, "missing"]
    return _used_columns(fixed, rows, always=("list_name", "name", *labels)), rows


def _settings_table(spec: SurveySpec) -> tuple[list[str], list[dict]]:
    default = spec.default_language
    row: dict[str, Any] = {
        "form_title": spec.title.get(default),
        **{
            language_column(TITLE_TRANSLATIONS, code): text
            for code, text in spec.title.items()
            if code != default
        },
        "form_id": spec.form_id,
        "version": spec.version,
        "default_language": language_name(default),
        **{
            language_column("description", code): text
            for code, text in (spec.description or {}).items()
        },
        "audience": spec.audience,
        "areas": " ".join(spec.areas),
        **spec.settings,
    }
    columns = [key for key, value in row.items() if value is not None]
    return columns, [row]


def _used_columns(fixed: list[str], rows: list[dict], always: Iterable[str]) -> list[str]:
    """The fixed columns that some row uses (in order), then every other column seen."""
    used = {key for row in rows for key, value in row.items() if value is not None}
    columns = [column for column in fixed if column in used or column in always]
    extra = dict.fromkeys(key for row in rows for key in row if key not in fixed)
    return columns + [key for key in extra if key in used]


def _write_rows(sheet, columns: list[str], rows: list[dict]) -> None:
    sheet.append(columns)
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column)
            if value is None:
                continue
            if isinstance(value, list | dict):
                value = (
                    " ".join(str(item) for item in value)
                    if isinstance(value, list)
                    else (str(value))
                )
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, not a spreadsheet formula
    sheet.freeze_panes = "A2"
