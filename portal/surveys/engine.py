"""The form engine: screens, relevance, calculations and answer validation, evaluated on the
server for every screen (no JavaScript needed). Pure functions over a ``SurveySpec``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from portal.surveys import expressions
from portal.surveys.definitions import (
    ChoiceSpec,
    QuestionSpec,
    SurveySpec,
    choice_filter_expression,
)

TEXT_MAX = 1000
NO_SCREEN = ("calculate", "begin group", "end group")

MESSAGES = {
    "required": _l("Please answer this question."),
    "choice": _l("Choose one of the answers shown."),
    "integer": _l("Enter a whole number, for example 12."),
    "decimal": _l("Enter a number, for example 4.5."),
    "date": _l("Enter a date."),
    "time": _l("Enter a time, for example 14:30."),
    "datetime": _l("Enter a date and a time."),
    "geopoint": _l("Enter a latitude and a longitude, for example 23.81 90.41."),
    "range": _l("Choose a value on the scale."),
    "too_long": _l("This answer is too long. Please make it shorter."),
    "constraint": _l("This answer does not look right. Please check it."),
}


@dataclass
class Screen:
    """What one page shows: a question, or a whole field-list group."""

    index: int
    questions: list[QuestionSpec]
    group: QuestionSpec | None = None
    #: Relevance of the enclosing groups, all of which must hold.
    conditions: list[str] = field(default_factory=list)
    #: The innermost enclosing group of a one-question screen (its label says where one is,
    #: such as "Earlier job 2" in an unrolled repeat).
    context: QuestionSpec | None = None


@dataclass
class Form:
    spec: SurveySpec
    screens: list[Screen]
    #: Question name → relevance expressions (its own and its enclosing groups').
    conditions: dict[str, list[str]]


#: Forms built from specs, by the spec's identity (the spec is held, so its id stays its
#: own): version specs live as long as the process (models._VERSION_SPECS), and a screen
#: rebuilt the same screens from the same spec on every request.
_FORMS: dict[int, tuple[SurveySpec, Form]] = {}
FORMS_KEPT = 256


def build_form(spec: SurveySpec) -> Form:
    """The screens of ``spec`` (built once per spec object; a Form is never changed)."""
    cached = _FORMS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    form = _build_form(spec)
    if len(_FORMS) >= FORMS_KEPT:
        _FORMS.pop(next(iter(_FORMS)))
    _FORMS[id(spec)] = (spec, form)
    return form


def _build_form(spec: SurveySpec) -> Form:
    screens: list[Screen] = []
    conditions: dict[str, list[str]] = {}
    stack: list[QuestionSpec] = []
    open_list: Screen | None = None
    for question in spec.questions:
        enclosing = [g.relevant for g in stack if g.relevant]
        if question.type == "begin group":
            conditions[question.name] = [*enclosing, *([question.relevant])]
            conditions[question.name] = [c for c in conditions[question.name] if c]
            stack.append(question)
            if (question.appearance or "").startswith("field-list") and open_list is None:
                open_list = Screen(len(screens), [], question, list(conditions[question.name]))
                screens.append(open_list)
            continue
        if question.type == "end group":
            group = stack.pop() if stack else None
            if open_list is not None and group is open_list.group:
                open_list = None
            continue
        conditions[question.name] = [
            *enclosing,
            *([question.relevant] if question.relevant else []),
        ]
        if question.type == "calculate":
            continue
        if open_list is not None:
            open_list.questions.append(question)
        else:
            context = next((group for group in reversed(stack) if group.label), None)
            screens.append(Screen(len(screens), [question], None, enclosing, context))
    return Form(spec, [s for s in screens if s.questions], conditions)


def _holds(text: str, values: dict, today: date) -> bool:
    try:
        return expressions.evaluate_bool(text, values, today=today)
    except expressions.ExpressionError:
        return False


def with_calculations(form: Form, answers: dict, today: date) -> dict:
    """Answers plus the value of every relevant ``calculate``, in definition order."""
    values = dict(answers)
    for question in form.spec.questions:
        if question.type == "calculate" and is_relevant(form, question.name, values, today):
            try:
                result = expressions.parse(question.calculation).evaluate(values, today=today)
            except expressions.ExpressionError:
                result = ""
            values[question.name] = _as_text(result)
    return values


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return "" if value is None else str(value)


def is_relevant(form: Form, name: str, values: dict, today: date) -> bool:
    return all(_holds(text, values, today) for text in form.conditions.get(name, []))


def relevant_screens(form: Form, answers: dict, today: date) -> list[Screen]:
    values = with_calculations(form, answers, today)
    return [
        screen
        for screen in form.screens
        if any(is_relevant(form, q.name, values, today) for q in screen.questions)
    ]


def visible_choices(form: Form, question: QuestionSpec, values: dict, today: date):
    choices: list[ChoiceSpec] = form.spec.choices.get(question.list_name or "", [])
    if not question.choice_filter:
        return choices
    shown = []
    for choice in choices:
        columns = {"name": choice.name, **(choice.model_extra or {})}
        text = choice_filter_expression(question.choice_filter, set(columns))
        scope = {**values, **{f"__choice.{key}": str(value) for key, value in columns.items()}}
        if _holds(text, scope, today):
            shown.append(choice)
    return shown


def parse_screen(
    form: Form,
    screen: Screen,
    formdata,
    answers: dict,
    language: str,
    today: date,
    *,
    enforce_required: bool = True,
) -> tuple[dict, dict]:
    """Read one screen's inputs: (new answers for it, errors by question name).

    File questions keep their stored answer (uploads are handled by the caller); drafts that
    may be saved incomplete pass ``enforce_required=False``."""
    values = with_calculations(form, answers, today)
    updates: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in screen.questions:
        if not is_relevant(form, question.name, values, today) or question.type == "note":
            updates[question.name] = ""
            continue
        if question.base_type == "file":
            needs_file = enforce_required and not answers.get(question.name)
            if needs_file and _is_required(question, values, today):
                errors[question.name] = _text(question.required_message, language) or str(
                    MESSAGES["required"]
                )
            continue
        raw = (
            formdata.getlist(question.name)
            if question.base_type == "select_multiple"
            else formdata.get(question.name, "")
        )
        value, problem = _parse_value(form, question, raw, values, today)
        updates[question.name] = value
        values[question.name] = value
        if problem:
            errors[question.name] = str(MESSAGES[problem])
            continue
        if value == "":
            if enforce_required and _is_required(question, values, today):
                errors[question.name] = _text(question.required_message, language) or str(
                    MESSAGES["required"]
                )
            continue
        if question.constraint and not _constraint_holds(question, value, values, today):
            errors[question.name] = _text(question.constraint_message, language) or str(
                MESSAGES["constraint"]
            )
    return updates, errors


def _is_required(question: QuestionSpec, values: dict, today: date) -> bool:
    if isinstance(question.required, bool):
        return question.required
    return _holds(question.required, values, today)


def _constraint_holds(question, value, values, today) -> bool:
    try:
        return expressions.evaluate_bool(
            question.constraint, values, current=typed(question, value), today=today
        )
    except expressions.ExpressionError:
        return False


def typed(question: QuestionSpec, value: str):
    """The value as the expression language sees it (numbers for numeric questions)."""
    if value == "":
        return ""
    if question.base_type == "integer":
        return int(value)
    if question.base_type in ("decimal", "range"):
        return float(value)
    if question.base_type == "date":
        return date.fromisoformat(value)
    return value


def _parse_value(form, question, raw, values, today) -> tuple[str, str | None]:
    base = question.base_type
    if base == "select_multiple":
        allowed = {c.name for c in visible_choices(form, question, values, today)}
        picked = [item for item in raw if item]
        if any(item not in allowed for item in picked):
            return " ".join(item for item in picked if item in allowed), "choice"
        # Keep the definition's order so that answers compare equal however they were sent.
        order = [c.name for c in form.spec.choices[question.list_name]]
        return " ".join(sorted(set(picked), key=order.index)), None
    text = (raw or "").strip()
    if text == "":
        return "", None
    if base == "select_one":
        allowed = {c.name for c in visible_choices(form, question, values, today)}
        return (text, None) if text in allowed else ("", "choice")
    if base == "integer":
        if not re.fullmatch(r"[+-]?\d{1,12}", text):
            return text[:40], "integer"
        return str(int(text)), None
    if base in ("decimal", "range"):
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return text[:40], base
        if not math.isfinite(number):
            return text[:40], base
        if base == "range":
            params = question.parameters or {}
            start, end = float(params["start"]), float(params["end"])
            if not min(start, end) <= number <= max(start, end):
                return "", "range"
        return (str(int(number)) if number.is_integer() else str(number)), None
    if base == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return text[:40], "date"
    if base == "time":
        found = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?", text)
        return (f"{int(found[1]):02d}:{found[2]}", None) if found else (text[:40], "time")
    if base == "datetime":
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            return text[:40], "datetime"
        return moment.replace(tzinfo=None).isoformat(timespec="minutes"), None
    if base == "geopoint":
        return _geopoint(text)
    if base == "barcode":
        return (text, None) if len(text) <= 200 else (text[:200], "too_long")
    if base == "acknowledge":
        return "OK", None
    if base == "text":
        if len(text) > TEXT_MAX:
            return text[:TEXT_MAX], "too_long"
        return text, None
    return "", None


def _geopoint(text: str) -> tuple[str, str | None]:
    """``lat lon [altitude [accuracy]]`` as ODK writes it (commas also taken), in range."""
    parts = [part for part in re.split(r"[\s,;]+", text) if part]
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return text[:60], "geopoint"
    if not 2 <= len(numbers) <= 4 or not all(map(math.isfinite, numbers)):
        return text[:60], "geopoint"
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        return text[:60], "geopoint"
    return " ".join(f"{number:g}" for number in numbers), None


def _text(value: dict | None, language: str) -> str:
    if not value:
        return ""
    return value.get(language) or next(iter(value.values()), "")


def text_in(value: dict | None, language: str) -> str:
    """A translated field in ``language`` (the definition guarantees every language)."""
    return _text(value, language)


def fill_in(text: str, values: dict | None) -> str:
    """``${name}`` in a label or hint replaced by the answer or calculation so far, as ODK
    shows it (an unanswered one is blank). Without ``values`` the text is left as it is."""
    if values is None or "${" not in text:
        return text
    return re.sub(
        r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}", lambda m: _as_text(values.get(m[1], "")), text
    )


def clean_answers(form: Form, answers: dict, today: date) -> dict:
    """Drop answers to questions that are no longer relevant (XLSForm blanks them)."""
    values = with_calculations(form, answers, today)
    return {
        name: value
        for name, value in values.items()
        if value != ""
        and form.spec.question(name) is not None
        and is_relevant(form, name, values, today)
    }


def unanswered_required(form: Form, answers: dict, today: date) -> list[str]:
    """Relevant required questions without an answer (the last check before saving)."""
    values = with_calculations(form, answers, today)
    return [
        question.name
        for screen in form.screens
        for question in screen.questions
        if question.type != "note"
        and is_relevant(form, question.name, values, today)
        and values.get(question.name, "") == ""
        and _is_required(question, values, today)
    ]


def screen_content(form: Form, screen: Screen, answers: dict, today: date):
    """What a screen shows now: its relevant questions and, per select question, the choices
    that pass its filter."""
    values = with_calculations(form, answers, today)
    shown = [q for q in screen.questions if is_relevant(form, q.name, values, today)]
    choices = {q.name: visible_choices(form, q, values, today) for q in shown if q.list_name}
    return shown, choices


def newly_shown(form: Form, screen: Screen, before: dict, after: dict, today: date) -> bool:
    """Whether the answers just sent made more questions of this screen relevant (an "other,
    specify" under its choice in a field-list group). Without JavaScript the page cannot reveal
    them as they become relevant, so the screen is shown again with them."""
    if len(screen.questions) < 2:
        return False
    was = {question.name for question in screen_content(form, screen, before, today)[0]}
    now = screen_content(form, screen, after, today)[0]
    return any(question.name not in was for question in now)


@dataclass
class Step:
    """Where one request on a screen leads: another screen, the same one again, the end, or
    this screen drawn (with ``shown``, ``choices``, ``position``, ``total``, ``back``)."""

    #: The answers to keep, empty ones dropped.
    answers: dict
    errors: dict[str, str]
    go_to: int | None = None
    same: bool = False
    done: bool = False
    shown: list[QuestionSpec] = field(default_factory=list)
    choices: dict = field(default_factory=dict)
    position: int = 0
    total: int = 0
    back: int | None = None


def step(form: Form, number: int, answers: dict, formdata, language: str, today: date) -> Step:
    """One GET (``formdata`` None) or POST of screen ``number``, for workers and previews alike:
    a sent screen moves on to the next relevant one, or comes back with the questions its
    answers revealed; a screen the answers skip moves on; otherwise it is drawn."""
    current = form.screens[number]
    answers = dict(answers)
    errors: dict[str, str] = {}
    if formdata is not None:
        updates, errors = parse_screen(form, current, formdata, answers, language, today)
        before = dict(answers)
        answers.update(updates)
        answers = {name: value for name, value in answers.items() if value != ""}
        if not errors and newly_shown(form, current, before, answers, today):
            return Step(answers, errors, same=True)
    indexes = [screen.index for screen in relevant_screens(form, answers, today)]
    later = [index for index in indexes if index > number]
    shown, choices = screen_content(form, current, answers, today)
    if (formdata is not None and not errors) or not shown:
        return Step(answers, errors, go_to=later[0]) if later else Step(answers, errors, done=True)
    earlier = [index for index in indexes if index < number]
    return Step(
        answers,
        errors,
        shown=shown,
        choices=choices,
        position=sum(1 for index in indexes if index <= number),
        total=max(len(indexes), 1),
        back=earlier[-1] if earlier else None,
    )
