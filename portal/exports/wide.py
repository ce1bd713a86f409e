"""The wide export: one row per response of one survey version, one column per question.

The layout is KoboToolbox's: the head columns of the long export (response number in a
shuffled order, campaign, site, group, language, day), then each question under its ``name``
in form order. A ``select_multiple`` question keeps its column (the chosen names separated by
spaces, or their labels separated by "; ") and gets one more per choice, ``<question>/<choice>``:
1 when chosen, 0 when answered without it, empty when the question was not answered.

Repeats are unrolled when a definition is imported (``portal.surveys.xlsform_repeats``):
instance *n* of ``member_age`` is stored as the question ``member_age_n`` (a loop over a choice
list: ``member_age_<choice>``), so a repeat has one column per instance, named as its answers
are stored, in the order of the form.

What goes out is decided as for the long export, by the same code: the snapshot of
``services.response_snapshot`` (a site × group × quarter under 5 responses is left out,
failing closed), the shuffled order of ``services.kept_responses``, and open questions only
with ``free_text`` (``services.is_free_text``).

Rows are *raw* here (choice names, numbers as floats, days as dates); ``display_rows`` turns
them into what CSV and XLSX show, and ``wide_files`` writes Stata, SPSS and Parquet from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.exports import dictionary, services
from portal.exports.dictionary import Column
from portal.extensions import db
from portal.risk.suppression import STAFF_THRESHOLD

FORMATS = ("csv", "xlsx", "dta", "sav", "parquet")
#: Question types without an answer of their own.
_NO_ANSWER = ("note", "begin group", "end group")
#: The long export's head columns, in its order; ``response`` is described anew below.
HEAD = ("response", "campaign", "form_id", "survey_version", "site_code", "site_name",
        "country", "supplier", "stakeholder_group", "language", "submitted_on")  # fmt: skip
_HEAD_KINDS = ("integer", *["category"] * 9, "date")
#: The type a column of each kind has in the data dictionary.
_TYPES = {"integer": "integer", "category": "code", "code": "code", "text": "text", "date": "date",
          "choice": "code", "choices": "code", "flag": "integer", "whole": "integer",
          "number": "number"}  # fmt: skip

RESPONSE = Column(
    "response",
    _l("Sequence number of the response within this file (1, 2, 3 …), one row each. It is not "
       "the database id and changes from one export to the next, so files cannot be linked to "
       "each other or to other records. Responses are ordered by campaign, site and day, and "
       "shuffled within a day, so the order does not reveal who answered first."),
    "integer",
)  # fmt: skip
QUESTION = Column(
    "<question>",
    _l("One column per question, named by its name in the survey definition: the answer as "
       "stored (choice name, number, day or text) or, in a file with labels, the chosen "
       "option's label in the chosen language. Open questions only in files with free text."),
    "text",
)  # fmt: skip
CHOICE = Column(
    "<question>/<choice>",
    _l("For each option of a multiple-choice question: 1 when it was chosen, 0 when the "
       "question was answered without it, empty when the question was not answered. The "
       "question's own column keeps the chosen names separated by spaces (labels: by \"; \")."),
    "integer",
)  # fmt: skip
INSTANCE = Column(
    "<question>_<n>",
    _l("Questions of a repeated group: one column per instance n (1, 2, 3 …; for a loop over "
       "a list, the list's choice names), named as the answers are stored."),
    "text",
)  # fmt: skip


def columns_for_dictionary() -> tuple[Column, ...]:
    """The wide export's columns as the dictionary export describes them (any version)."""
    head = {column.name: column for column in dictionary.RESPONSES}
    return (RESPONSE, *(head[name] for name in HEAD[1:]), QUESTION, CHOICE, INSTANCE)


class WideError(services.ExportError):
    """A request for a wide export that cannot be served: 404 or 400, with a message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class WideColumn:
    name: str
    #: integer, category, date (head); choice, choices, flag, whole, number, date, code (other
    #: short answers), text (open questions)
    kind: str
    #: Question label in the file's language (with the choice's for a flag); head: meaning.
    label: str
    question: str = ""
    #: (name, label) of the options of a choice question, in list order.
    choices: tuple[tuple[str, str], ...] = ()
    choice: str = ""


@dataclass
class WidePlan:
    version_id: int
    form_id: str
    version_label: str
    title: str
    language: str
    labels: bool
    free_text: bool
    columns: list[WideColumn]
    snapshot: services.ResponseSnapshot
    #: Responses of this version in the file, and left out by suppression.
    kept: int = 0
    left_out: int = 0
    batch_size: int = 500
    stats: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Part of the download's file name."""
        return f"{self.form_id}-v{self.version_label}".replace('"', "").replace("/", "-")


def check(version_id: int, language: str | None) -> tuple:
    """(version, its spec, the language) of a request; WideError for a bad one."""
    from portal.surveys.models import SurveyVersion

    version = db.session.get(SurveyVersion, version_id)
    if version is None or version.survey.audience == "suppliers":
        raise WideError(404, _("There is no survey version with this number."))
    spec = version.spec()
    language = language or spec.default_language
    if language not in spec.languages:
        raise WideError(400, _("This survey version has no text in the language '%(code)s'. "
                               "Its languages: %(languages)s.", code=language,
                               languages=", ".join(spec.languages)))  # fmt: skip
    return version, spec, language


def plan(version_id: int, *, labels: bool, language: str | None, free_text: bool,
         batch_size: int = 500) -> WidePlan:  # fmt: skip
    """Check the request and lay out the file, on a fresh suppression snapshot."""
    version, spec, language = check(version_id, language)
    snapshot = services.response_snapshot()
    found = WidePlan(
        version_id=version.id, form_id=spec.form_id, version_label=version.label,
        title=services._text(spec.title, language), language=language, labels=labels,
        free_text=free_text, columns=_columns(spec, language, free_text), snapshot=snapshot,
        batch_size=batch_size,
    )  # fmt: skip
    found.kept, found.left_out = _counts(snapshot, version.id)
    return found


def _question_labels(spec, language: str) -> dict[str, str]:
    """Question name → label; a label that several questions share (the instances of a
    repeat) is prefixed with the label of the group around it ("Household member 2: Age")."""
    text = services._text
    labels, groups = {}, []
    for question in spec.questions:
        if question.type == "begin group":
            groups.append(text(question.label, language))
        elif question.type == "end group":
            groups = groups[:-1]
        elif question.name:
            labels[question.name] = (text(question.label, language) or question.name, groups[-1:])
    counts: dict[str, int] = {}
    for label, _group in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return {
        name: f"{group[0]}: {label}" if counts[label] > 1 and group and group[0] else label
        for name, (label, group) in labels.items()
    }


def _columns(spec, language: str, free_text: bool) -> list[WideColumn]:
    head = {column.name: column for column in (RESPONSE, *dictionary.RESPONSES)}
    columns = [WideColumn(name, kind, str(head[name].meaning))
               for name, kind in zip(HEAD, _HEAD_KINDS, strict=True)]  # fmt: skip
    labels = _question_labels(spec, language)
    for question in spec.questions:
        if not question.name or question.type in _NO_ANSWER:
            continue
        base = question.base_type
        if services.is_free_text(base) and not free_text:
            continue
        label = labels[question.name]
        options = _options(spec.choices.get(question.list_name or "", []), language)
        kind = {"select_one": "choice", "select_multiple": "choices", "integer": "whole",
                "decimal": "number", "range": "number", "date": "date"}.get(base)  # fmt: skip
        kind = kind or ("text" if services.is_free_text(base) else "code")
        columns.append(WideColumn(question.name, kind, label, question.name, options))
        if kind == "choices":
            columns.extend(
                WideColumn(f"{question.name}/{name}", "flag", f"{label}: {choice_label}",
                           question.name, choice=name)
                for name, choice_label in options
            )  # fmt: skip
    return columns


def _options(choices, language: str) -> tuple[tuple[str, str], ...]:
    """(name, label) per option; a label that is empty or repeats another gets the name too,
    so that labels stay distinct (value labels and categories need them so)."""
    found, seen = [], set()
    for choice in choices:
        label = services._text(choice.label, language) or choice.name
        if label in seen:
            label = f"{label} ({choice.name})"
        seen.add(label)
        found.append((choice.name, label))
    return tuple(found)


def _counts(snapshot: services.ResponseSnapshot, version_id: int) -> tuple[int, int]:
    """Responses of the version in the file and left out, by the snapshot's decision."""
    from portal.risk.classify import period_of
    from portal.surveys.models import Response

    stmt = (
        select(Response.site_id, Response.stakeholder_group, Response.submitted_on, func.count())
        .where(Response.status == "complete", Response.id <= snapshot.max_id,
               Response.survey_version_id == version_id)
        .group_by(Response.site_id, Response.stakeholder_group, Response.submitted_on)
    )  # fmt: skip
    kept = left_out = 0
    for site_id, group, day, count in db.session.execute(stmt):
        if (site_id, group, period_of(day)) in snapshot.allowed:
            kept += count
        else:
            left_out += count
    return kept, left_out


# --- rows ----------------------------------------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def raw_rows(plan: WidePlan) -> Iterator[list]:
    """One list per response, in column order: numbers as floats, days as dates, choices by
    name, flags 0/1, None where there is no answer."""
    from portal.surveys.models import Campaign, Response

    sites = services._site_lookup()
    campaigns = dict(db.session.execute(select(Campaign.id, Campaign.name)).all())
    slots: dict[str, tuple[str, int, list[tuple[str, int]]]] = {}
    for index, column in enumerate(plan.columns):
        if column.kind == "flag":
            slots[column.question][2].append((column.choice, index))
        elif column.question:
            slots[column.question] = (column.kind, index, [])
    empty = [None] * (len(plan.columns) - len(HEAD))
    number = 0
    plan.stats["responses"] = 0
    version = Response.survey_version_id == plan.version_id
    for kept, answers in services.kept_responses(plan.snapshot, plan.batch_size, version):
        for row in kept:
            number += 1
            code, site_name, country, supplier = sites.get(row.site_id, ("", "", "", ""))
            out = [number, campaigns.get(row.campaign_id, ""), plan.form_id,
                   plan.version_label, code, site_name, country, supplier,
                   row.stakeholder_group, row.language, row.submitted_on, *empty]  # fmt: skip
            for answer in answers.pop(row.id, ()):
                slot = slots.get(answer.question)
                if slot is None:  # an open question without free_text
                    continue
                kind, index, flags = slot
                if kind in ("whole", "number"):
                    out[index] = answer.number
                elif kind == "date":
                    out[index] = _day(answer.value)
                else:
                    out[index] = answer.value
                if flags:
                    chosen = set(answer.value.split())
                    for choice, position in flags:
                        out[position] = 1 if choice in chosen else 0
            yield out
        plan.stats["responses"] = number


def typed_rows(plan: WidePlan) -> Iterator[list]:
    """Raw rows for the statistics formats: single choices stay names (they are coded there),
    multiple choices become labels when asked for."""
    return display_rows(plan, raw_rows(plan), spreadsheet=False)


def display_rows(plan: WidePlan, rows, *, spreadsheet: bool = True) -> Iterator[list]:
    """Raw rows as CSV and XLSX show them: labels for choices when asked for, whole numbers
    without a decimal point."""
    converters = []
    for index, column in enumerate(plan.columns):
        if column.kind == "whole" and spreadsheet:
            converters.append((index, _whole))
        elif plan.labels and column.kind == "choice" and spreadsheet:
            names = dict(column.choices)
            converters.append((index, lambda v, names=names: names.get(v, v)))
        elif plan.labels and column.kind == "choices":
            names = dict(column.choices)
            converters.append(
                (index, lambda v, names=names: "; ".join(names.get(n, n) for n in v.split()))
            )
    for row in rows:
        for index, convert in converters:
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        yield row


def _whole(value: float):
    return int(value) if value.is_integer() else value


def codes(column: WideColumn) -> dict[str, int]:
    """Stata and SPSS codes of a single-choice column: 1, 2, 3 … in choice-list order."""
    return {name: number for number, (name, _label) in enumerate(column.choices, start=1)}


# --- what the files say about themselves ---------------------------------------------------


def dictionary_columns(plan: WidePlan) -> tuple[Column, ...]:
    """The file's own columns for its dictionary (the XLSX sheet): meanings of the head
    columns, question labels, and the codes of single-choice questions."""
    head = {column.name: column.type for column in dictionary.RESPONSES}
    found = []
    for column in plan.columns:
        meaning = column.label
        if column.kind == "choice" and column.choices:
            numbered = zip(codes(column).values(), column.choices, strict=True)
            listed = "; ".join(f"{code} = {name} ({label})" for code, (name, label) in numbered)
            meaning = _("%(label)s (codes in Stata and SPSS: %(codes)s)", label=meaning,
                        codes=listed)  # fmt: skip
        found.append(Column(column.name, meaning, head.get(column.name) or _TYPES[column.kind]))
    return tuple(found)


def notes(plan: WidePlan, *, spreadsheet: bool = True) -> list[str]:
    """What the file says about itself (CSV and XLSX text is guarded against formulas; the
    statistics formats keep the answers exactly as stored)."""
    language = plan.language
    found = [
        _("Survey %(title)s (%(form)s), version %(version)s: one row per response. %(what)s",
          title=plan.title, form=plan.form_id, version=plan.version_label,
          what=_("Answers as labels in the language '%(code)s'.", code=language) if plan.labels
          else _("Answers as stored (choice names, numbers); labels in the language "
                 "'%(code)s'.", code=language)),
        _("Suppression: %(responses)s responses of this survey version were left out: every "
          "response of a site, stakeholder group and quarter with fewer than %(threshold)s "
          "responses (counted over all surveys), so that nobody in a small group can be "
          "singled out. %(kept)s responses are in this file.",
          responses=plan.left_out, threshold=STAFF_THRESHOLD, kept=plan.kept),
        services._open_answers_note(plan.free_text),
        *layout_notes(),
    ]  # fmt: skip
    return [*found, str(dictionary.FORMULA_NOTE)] if spreadsheet else found


def layout_notes() -> list[str]:
    return [
        _("Repeated groups: a repeat is stored one question per instance, <question>_<n> (a "
          "loop over a list: <question>_<choice>), and has one column per instance."),
        _("Stata and SPSS: the options of a single-choice question are coded 1, 2, 3 … in the "
          "order of the survey's choice list, each code labelled with the option's label (or "
          "its name in a file without labels); the head columns and the other answers are text "
          "or numbers. Variable names keep letters, digits and _ only (problems/fees becomes "
          "problems_fees), at most 32 characters, made unique with _2, _3 …; variable labels "
          "are the question texts, cut to 80 characters in Stata."),
        _("Parquet: single-choice answers are categorical (a dictionary of the options in list "
          "order), numbers are numbers and days are dates; each column's description is in "
          "its field metadata, these notes in the file's metadata."),
    ]  # fmt: skip


def prepared(plan: WidePlan) -> services.Prepared:
    """The wide export as the CSV and XLSX writers take it."""
    found = services.Prepared("wide", dictionary_columns(plan), (), label=plan.label)
    found.rows = display_rows(plan, raw_rows(plan))
    found.notes = lambda: notes(plan)
    found.stats = plan.stats
    return found
