"""Survey definition files (DESIGN §5): loading, schema, and located validation errors.

A definition is YAML mirroring XLSForm. Loading never coerces ``yes``/``no``/``on``/``off`` to
booleans (only ``true``/``false`` are booleans), and the schema rejects a boolean wherever a
name or text is expected, so a choice called ``no`` stays the string ``"no"``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from portal.i18n import content_language
from portal.risk.catalogue import (
    ANONYMOUS_GROUPS,
    ENGAGEMENT_AREAS,
    INDICATORS,
    STAKEHOLDER_GROUPS,
)
from portal.surveys import expressions

Name = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$", max_length=64)]
#: XLSForm choice names are often numeric codes ("1", "99"): they may start with a digit.
ChoiceName = Annotated[
    StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=64)
]
Text = dict[StrictStr, StrictStr]

SELECT_TYPES = ("select_one", "select_multiple")
SIMPLE_TYPES = (
    "integer",
    "decimal",
    "range",
    "text",
    "date",
    "time",
    "datetime",
    "geopoint",
    "barcode",
    "note",
    "acknowledge",
    "calculate",
    "file",
    "begin group",
    "end group",
)
#: Fields holding translated text: every survey language must be present in each.
TEXT_FIELDS = ("label", "hint", "constraint_message", "required_message")
EXPRESSION_FIELDS = ("relevant", "constraint", "calculation", "choice_filter")


class RiskSpec(BaseModel):
    """Our XLSForm extension: which answers are adverse for which indicator."""

    model_config = ConfigDict(extra="forbid")
    indicator: StrictStr
    adverse: list[StrictStr] | None = None
    adverse_when: StrictStr | None = None
    dimension: Literal["INV", "COE"] | None = None


class ChoiceSpec(BaseModel):
    # Extra columns (for example ``country``) are what choice_filter expressions test.
    model_config = ConfigDict(extra="allow")
    name: ChoiceName
    label: Text
    #: "Don't know" and refusals: kept, but counted as missing by the risk model.
    missing: StrictBool = False


class QuestionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: StrictStr
    #: Required except on ``end group`` rows (XLSForm leaves those unnamed).
    name: Name | None = None
    label: Text | None = None
    hint: Text | None = None
    required: StrictBool | StrictStr = False
    required_message: Text | None = None
    relevant: StrictStr | None = None
    constraint: StrictStr | None = None
    constraint_message: Text | None = None
    appearance: StrictStr | None = None
    choice_filter: StrictStr | None = None
    default: StrictStr | StrictInt | StrictFloat | None = None
    calculation: StrictStr | None = None
    parameters: dict[StrictStr, StrictInt | StrictFloat | StrictStr] | None = None
    risk: RiskSpec | None = None
    #: Unknown XLSForm columns, kept so that import → export loses nothing.
    passthrough: dict[StrictStr, Any] = {}

    @property
    def base_type(self) -> str:
        return self.type.split()[0] if self.type.split()[0] in SELECT_TYPES else self.type

    @property
    def list_name(self) -> str | None:
        parts = self.type.split()
        return parts[1] if parts[0] in SELECT_TYPES and len(parts) == 2 else None


class TranslationReview(BaseModel):  # who checked a content language, when (translations.md)
    model_config = ConfigDict(extra="forbid")
    status: Literal["source", "machine-drafted", "reviewed"]
    reviewed_on: date | None = None
    reviewed_by: StrictStr | None = None


class SurveySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    form_id: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$")]
    version: StrictStr
    title: Text
    description: Text | None = None
    audience: Literal[STAKEHOLDER_GROUPS]  # type: ignore[valid-type]
    areas: list[Literal[ENGAGEMENT_AREAS]]  # type: ignore[valid-type]
    default_language: StrictStr
    languages: list[StrictStr]
    questions: list[QuestionSpec]
    choices: dict[Name, list[ChoiceSpec]] = {}
    translations: dict[StrictStr, TranslationReview] = {}
    #: XLSForm settings-sheet columns we do not use, kept for export.
    settings: dict[StrictStr, Any] = {}

    def question(self, name: str) -> QuestionSpec | None:
        return next((q for q in self.questions if q.name == name), None)

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class DefinitionError:
    source: str
    message: str
    question: str | None = None
    field: str | None = None
    #: A feature the portal cannot offer (the rest can be imported without it), not a mistake.
    refused: bool = False

    def __str__(self) -> str:
        where = [self.source]
        if self.question:
            where.append(f"question '{self.question}'")
        if self.field:
            where.append(f"field '{self.field}'")
        return ", ".join(where) + ": " + self.message


class DefinitionInvalid(ValueError):
    def __init__(self, errors: list[DefinitionError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false; ``yes``, ``no``, ``on``, ``off`` stay strings."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _describe(error: dict) -> str:
    kind, message = error["type"], error["msg"]
    if kind in ("string_type", "str_type") and isinstance(error.get("input"), bool):
        return "expected text but found a boolean; quote values such as 'yes' and 'no'"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    return message[0].lower() + message[1:] if message else kind


def _schema_errors(data: Any, source: str, error: ValidationError) -> list[DefinitionError]:
    found = []
    for item in error.errors():
        loc = list(item["loc"])
        question = None
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            try:
                question = str(data["questions"][loc[1]].get("name") or f"#{loc[1] + 1}")
            except (KeyError, IndexError, TypeError, AttributeError):
                question = f"#{loc[1] + 1}"
            loc = loc[2:]
        field = ".".join(str(part) for part in loc) or None
        found.append(DefinitionError(source, _describe(item), question, field))
    return found


def parse_definition(data: Any, source: str = "<definition>") -> SurveySpec:
    """Schema plus cross-field checks; raises DefinitionInvalid listing every problem."""
    if not isinstance(data, dict):
        raise DefinitionInvalid([DefinitionError(source, "expected a mapping at the top level")])
    try:
        spec = SurveySpec.model_validate(data)
    except ValidationError as error:
        raise DefinitionInvalid(_schema_errors(data, source, error)) from None
    problems = list(_semantic_errors(spec, source))
    if problems:
        raise DefinitionInvalid(problems)
    return spec


def load_definition(path: Path) -> SurveySpec:
    source = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise DefinitionInvalid([DefinitionError(source, f"not valid YAML{where}")]) from None
    return parse_definition(data, source)


def _semantic_errors(spec: SurveySpec, source: str):
    def err(message, question=None, field=None):
        return DefinitionError(source, message, question, field)

    # Any language CLDR knows, written as our codes are (``sw``, ``pt_BR``, ``zh_Hans``).
    unknown_languages = [code for code in spec.languages if content_language(code) != code]
    if unknown_languages:
        yield err(f"unknown language codes {unknown_languages}", field="languages")
    if spec.default_language not in spec.languages:
        yield err("must be one of 'languages'", field="default_language")
    for code, review in spec.translations.items():
        if code not in spec.languages:
            yield err(f"'{code}' is not one of 'languages'", field="translations")
        elif review.status == "reviewed" and review.reviewed_on is None:
            yield err(f"'{code}': a reviewed language needs 'reviewed_on'", field="translations")
    yield from _text_errors(spec.title, spec.languages, err, None, "title")
    if spec.description:
        yield from _text_errors(spec.description, spec.languages, err, None, "description")

    for index, question in enumerate(spec.questions):
        if question.name is None and question.type != "end group":
            yield err("is required", f"#{index + 1}", "name")
    names = [q.name for q in spec.questions if q.type != "end group" and q.name]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            yield err("the name is used twice", name, "name")
        seen.add(name)
    answerable = {q.name for q in spec.questions if q.type not in ("begin group", "end group")}

    depth = 0
    for question in spec.questions:
        q = question.name or question.type
        base = question.base_type
        if base not in SELECT_TYPES and base not in SIMPLE_TYPES:
            yield err(f"unknown type '{question.type}'", q, "type")
            continue
        if base in SELECT_TYPES:
            if question.list_name is None:
                yield err(f"write '{base} <list name>'", q, "type")
            elif question.list_name not in spec.choices:
                yield err(f"no choice list '{question.list_name}'", q, "type")
        if question.type == "begin group":
            depth += 1
        elif question.type == "end group":
            depth -= 1
            if depth < 0:
                yield err("'end group' without 'begin group'", q, "type")
                depth = 0
        if base == "file" and spec.audience != "suppliers":
            yield err("file uploads are only for supplier questionnaires", q, "type")
        if base in ("geopoint", "barcode") and spec.audience in ANONYMOUS_GROUPS:
            what = "a location" if base == "geopoint" else "a scanned code"
            yield err(f"{what} would identify an anonymous respondent", q, "type")
        if base == "calculate" and not question.calculation:
            yield err("a calculate question needs a calculation", q, "calculation")
        if base == "range":
            params = question.parameters or {}
            if not {"start", "end"} <= params.keys():
                yield err("a range needs parameters start and end", q, "parameters")
        if base not in ("calculate", "end group") and not question.label:
            yield err("a label is required", q, "label")
        for field in TEXT_FIELDS:
            value = getattr(question, field)
            if value:
                yield from _text_errors(value, spec.languages, err, q, field)
        yield from _expression_errors(question, answerable, spec, err)
        if question.risk:
            yield from _risk_errors(question, spec, err)
        if question.default is not None and question.list_name in spec.choices:
            options = {choice.name for choice in spec.choices[question.list_name]}
            if str(question.default) not in options:
                yield err(f"'{question.default}' is not a choice of the list", q, "default")
    if depth:
        yield err("a 'begin group' is never closed", field="questions")

    for list_name, choices in spec.choices.items():
        seen_choices: set[str] = set()
        for choice in choices:
            if choice.name in seen_choices:
                yield err(f"choice '{choice.name}' appears twice in list '{list_name}'")
            seen_choices.add(choice.name)
            yield from _text_errors(
                choice.label, spec.languages, err, None, f"choices.{list_name}.{choice.name}.label"
            )


def _text_errors(text: dict, languages: list[str], err, question, field):
    missing = [code for code in languages if not (text.get(code) or "").strip()]
    if missing:
        yield err(f"missing translation for {', '.join(missing)}", question, field)
    extra = [code for code in text if code not in languages]
    if extra:
        yield err(
            f"text in languages not listed in 'languages': {', '.join(extra)}", question, field
        )


def choice_filter_expression(text: str, columns: set[str]) -> str:
    """XLSForm choice filters name choice columns bare (``country = ${c}``); we read them as
    ``${__choice.country}`` so that the expression grammar stays the XLSForm subset."""

    def swap(match: re.Match) -> str:
        word = match.group(0)
        return f"${{__choice.{word}}}" if word in columns else word

    # Only words outside quotes and ${...}: split on those and rewrite the rest.
    parts = re.split(r"(\$\{[^}]*\}|'[^']*'|\"[^\"]*\")", text)
    return "".join(
        part if index % 2 else re.sub(r"(?<![\w.$-])[A-Za-z_][\w]*(?![\w(-])", swap, part)
        for index, part in enumerate(parts)
    )


def _expression_errors(question: QuestionSpec, answerable: set[str], spec: SurveySpec, err):
    for field in EXPRESSION_FIELDS:
        text = getattr(question, field)
        if not text:
            continue
        known = set(answerable)
        if field == "choice_filter":
            columns = {"name"} | {
                key
                for choice in spec.choices.get(question.list_name or "", [])
                for key in (choice.model_extra or {})
            }
            text = choice_filter_expression(text, columns)
            known |= {f"__choice.{column}" for column in columns}
        for problem in expressions.check(text, known, allow_current=field == "constraint"):
            yield err(str(problem), question.name, field)
    if isinstance(question.required, str):
        for problem in expressions.check(question.required, answerable, allow_current=False):
            yield err(str(problem), question.name, "required")


def _risk_errors(question: QuestionSpec, spec: SurveySpec, err):
    risk, q = question.risk, question.name
    if risk.indicator not in INDICATORS:
        yield err(f"unknown indicator '{risk.indicator}'", q, "risk.indicator")
    if not risk.adverse and not risk.adverse_when:
        yield err("say which answers are adverse (adverse or adverse_when)", q, "risk")
    if risk.adverse and question.list_name in spec.choices:
        options = {choice.name for choice in spec.choices[question.list_name]}
        for value in risk.adverse:
            if value not in options:
                yield err(f"'{value}' is not a choice of '{question.list_name}'", q, "risk.adverse")
    if risk.adverse_when:
        for problem in expressions.check(risk.adverse_when, set(), allow_current=True):
            yield err(str(problem), q, "risk.adverse_when")


def definition_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.yaml") if not path.name.startswith("_"))
