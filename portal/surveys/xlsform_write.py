"""Writing a definition as an XLSForm workbook (survey, choices, settings) that pyxform
converts, and the column layout that ``xlsform`` (reading) shares, so that YAML → XLSX → YAML
gives back an equal ``SurveySpec``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook

from portal.i18n import bcp47, language_label
from portal.i18n_review import XLSFORM_COLUMN, translations_cell
from portal.surveys.definitions import SurveySpec, parse_definition

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


def language_column(field_name: str, code: str) -> str:
    """``label::Français (fr)``: the endonym and the BCP 47 code, as ODK tools expect."""
    return f"{field_name}::{language_name(code)}"


def language_name(code: str) -> str:
    return f"{language_label(code)} ({bcp47(code)})"


def write_xlsform(spec_or_dict: SurveySpec | dict, path: str | Path | BinaryIO):
    """Write a definition as an XLSForm workbook (survey, choices, settings) at ``path`` (a
    path or a binary file object).

    Columns: ``type``, ``name``, every translated field as ``label::<endonym> (<code>)`` for
    each language of the survey, the plain XLSForm columns in use, our ``risk_*`` columns and
    the passthrough columns kept from an import. A dict is validated first.
    """
    spec = (
        spec_or_dict
        if isinstance(spec_or_dict, SurveySpec)
        else parse_definition(spec_or_dict, "<definition>")
    )
    if isinstance(path, str | Path):
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
        XLSFORM_COLUMN: translations_cell(spec.translations),
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
