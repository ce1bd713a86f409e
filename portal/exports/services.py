"""The exports as row generators (the writers that stream them as CSV or XLSX are in
``formats``; the wide export of one survey version is in ``wide``).

Nothing here builds a whole export in memory: rows are read from the database in batches
(``yield_per``; answers are fetched for one batch of responses at a time) and written out as
they come. Lookups that every row needs (sites, campaigns, survey specs) are loaded once.

Suppression (DESIGN §6):

- ``responses`` (raw answers) leaves out every response of a site × stakeholder group × quarter
  with fewer than ``STAFF_THRESHOLD`` (5) responses, so that an individual in a tiny group cannot
  be singled out. The decision is taken once, on a snapshot (responses up to the highest id at
  the start), and fails closed: a response whose cell was not counted is left out. The wide
  export reads its responses through the same ``kept_responses``.
- ``signals`` reads ``portal.risk.signals.site_signals`` for the signed-in user, which hides
  every cell under that user's threshold; a hidden cell is exported as ``suppressed`` with no
  numbers.
- ``cases`` carries no free text unless asked for, and then only the description; the
  call-back contact and the messages are never exported.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, cast, func, literal, select

from portal.exports import dictionary
from portal.exports.dictionary import Column
from portal.exports.dictionary import rows as _dictionary_rows
from portal.exports.formats import (  # noqa: F401 (the writers' home; kept importable here)
    BOM,
    CSV_CHUNK,
    FILE_CHUNK,
    XLSX_MAX_ROWS,
    XLSX_MIMETYPE,
    csv_stream,
    file_chunks,
    file_size,
    neutralise,
    xlsx_stream,
)
from portal.extensions import db
from portal.risk.suppression import STAFF_THRESHOLD

FORMATS = ("csv", "xlsx")
PERIOD = re.compile(r"^\d{4}-Q[1-4]$")


@dataclass(frozen=True)
class ExportInfo:
    name: str
    title: object
    description: object
    #: For exports other capabilities register: builds the rows (None for the ones below).
    prepare: Callable[[Options], Prepared] | None = None
    #: Every column the export can have, for the data dictionary.
    columns: tuple[Column, ...] = ()
    #: Notes for the data dictionary (suppression and free-text rules).
    notes: Callable[[], list[str]] | None = None
    #: Whether ``?free_text=1`` adds free text (offered on the index page with a warning).
    free_text: bool = False


#: The exports offered on /exports, in page order.
EXPORTS: dict[str, ExportInfo] = {
    info.name: info
    for info in (
        ExportInfo(
            "responses",
            _l("Survey answers"),
            _l("Every stored answer, one row per answer, with the campaign, site, stakeholder "
               "group, question and answer labels. Anonymous answers carry the day only. "
               "Responses of a site, group and quarter with fewer than 5 responses are left "
               "out, so that nobody in a small group can be singled out."),
        ),
        ExportInfo(
            "signals",
            _l("Risk signals"),
            _l("The scores of one quarter for every site, stakeholder group and indicator, "
               "with their counts and intervals. Cells with fewer than 5 valid answers are "
               "marked suppressed and carry no numbers."),
        ),
        ExportInfo(
            "cases",
            _l("Grievance cases"),
            _l("The case register: site, group, category, status, severity, indicators, "
               "deadlines and outcome. Without the reporters' words unless you ask for the "
               "descriptions; call-back contacts and messages are never exported."),
        ),
        ExportInfo(
            "dictionary",
            _l("Data dictionary"),
            _l("What every column of every export means, and its type. Each XLSX file also "
               "has it as a second sheet."),
        ),
    )
}  # fmt: skip


def register_export(info: ExportInfo) -> None:
    """Offer another capability's export on /exports (before the data dictionary, which
    stays last) and in the dictionary. Registering the same name again replaces it."""
    items = [item for name, item in EXPORTS.items() if name not in (info.name, "dictionary")]
    items += [info, EXPORTS["dictionary"]]
    EXPORTS.clear()
    EXPORTS.update((item.name, item) for item in items)


class ExportError(ValueError):
    """A request the export cannot serve (for example a malformed period)."""


@dataclass
class Options:
    user: Any
    period: str | None = None
    free_text: bool = False
    batch_size: int = 500


@dataclass
class Prepared:
    """One export ready to write: its columns, its rows (lazy), and notes for the dictionary
    (called after the rows were consumed)."""

    name: str
    columns: tuple[Column, ...]
    rows: Iterable[list]
    notes: Callable[[], list[str]] = list
    #: Part of the download's file name (the period of a signals export).
    label: str = ""
    stats: dict = field(default_factory=dict)


# --- preparing an export -------------------------------------------------------------------


def prepare(name: str, options: Options) -> Prepared:
    if name == "responses":
        return _prepare_responses(options)
    if name == "signals":
        return _prepare_signals(options)
    if name == "cases":
        return _prepare_cases(options)
    if name == "dictionary":
        return _prepare_dictionary(options)
    info = EXPORTS[name]
    if info.prepare is None:
        raise KeyError(name)
    return info.prepare(options)


def _text(translations: dict[str, str] | None, language: str) -> str:
    if not translations:
        return ""
    return translations.get(language) or next(iter(translations.values()), "")


# responses ----------------------------------------------------------------------------------


@dataclass
class ResponseSnapshot:
    """Which responses the export may contain, decided once before streaming."""

    #: Highest response id at the start: later submissions are not part of this file.
    max_id: int
    #: (site id, stakeholder group, quarter) → responses, for cells of at least 5 responses.
    allowed: set[tuple[int, str, str]]
    left_out_responses: int = 0
    left_out_answers: int = 0
    left_out_cells: int = 0


def response_snapshot() -> ResponseSnapshot:
    """Count complete responses (and their answers) per site × group × quarter."""
    from portal.risk.classify import period_of
    from portal.surveys.models import Answer, Response

    max_id = db.session.scalar(select(func.max(Response.id))) or 0
    per_answer = (
        select(Answer.response_id, func.count().label("answers"))
        .group_by(Answer.response_id)
        .subquery()
    )
    stmt = (
        select(Response.site_id, Response.stakeholder_group, Response.submitted_on,
               func.count(Response.id), func.coalesce(func.sum(per_answer.c.answers), 0))
        .outerjoin(per_answer, per_answer.c.response_id == Response.id)
        .where(Response.status == "complete", Response.id <= max_id)
        .group_by(Response.site_id, Response.stakeholder_group, Response.submitted_on)
    )  # fmt: skip
    cells: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for site_id, group, day, responses, answers in db.session.execute(stmt):
        counts = cells[(site_id, group, period_of(day))]
        counts[0] += responses
        counts[1] += int(answers)
    snapshot = ResponseSnapshot(max_id=max_id, allowed=set())
    for key, (responses, answers) in cells.items():
        if responses >= STAFF_THRESHOLD:
            snapshot.allowed.add(key)
        else:
            snapshot.left_out_cells += 1
            snapshot.left_out_responses += responses
            snapshot.left_out_answers += answers
    return snapshot


@dataclass(frozen=True)
class _QuestionInfo:
    label: str
    kind: str
    choices: dict[str, str]
    indicator: str | None


def _version_questions() -> dict[int, tuple[str, str, dict[str, _QuestionInfo]]]:
    """survey version id → (form_id, version label, question name → labels in the default
    language, choice labels, indicator)."""
    from portal.surveys.models import Survey, SurveyVersion

    found = {}
    for version, form_id in db.session.execute(
        select(SurveyVersion, Survey.form_id).join(Survey, Survey.id == SurveyVersion.survey_id)
    ):
        spec = version.spec()
        language = spec.default_language
        questions = {}
        for question in spec.questions:
            if not question.name:
                continue
            options = spec.choices.get(question.list_name or "", [])
            questions[question.name] = _QuestionInfo(
                label=_text(question.label, language),
                kind=question.base_type,
                choices={choice.name: _text(choice.label, language) for choice in options},
                indicator=question.risk.indicator if question.risk else None,
            )
        found[version.id] = (form_id, version.label, questions)
    return found


def _site_lookup() -> dict[int, tuple[str, str, str, str]]:
    from portal.suppliers.models import Site, Supplier

    stmt = select(Site.id, Site.code, Site.name, Site.country, Supplier.name).join(
        Supplier, Supplier.id == Site.supplier_id
    )
    return {row[0]: tuple(row[1:]) for row in db.session.execute(stmt)}


_UNKNOWN_QUESTION = _QuestionInfo("", "", {}, None)


def _value_label(info: _QuestionInfo, value: str) -> str:
    if info.kind == "select_one":
        return info.choices.get(value, "")
    if info.kind == "select_multiple":
        return "; ".join(info.choices.get(name, name) for name in value.split())
    return ""


def _prepare_responses(options: Options) -> Prepared:
    snapshot = response_snapshot()
    prepared = Prepared("responses", dictionary.RESPONSES, ())
    prepared.rows = _response_rows(snapshot, options.batch_size, prepared.stats,
                                   free_text=options.free_text)  # fmt: skip
    prepared.notes = lambda: [
        _responses_note(snapshot),
        _open_answers_note(options.free_text),
        *_common_notes(),
    ]
    return prepared


def is_free_text(kind: str) -> bool:
    """Open questions: words in a respondent's own hand can identify them, so their answers
    are exported only when asked for (``free_text``), by every answers export alike."""
    return kind == "text"


def kept_responses(snapshot: ResponseSnapshot, batch_size: int, *where) -> Iterator[tuple]:
    """Batches of the complete responses the snapshot allows, in file order, each with its
    answers: ``(responses, {response id: answer rows in stored order})``. ``where`` narrows the
    responses (the wide export takes one survey version); suppression is the snapshot's."""
    from portal.risk.classify import period_of
    from portal.surveys.models import Answer, Response

    # Within a site and day, responses come in an order shuffled afresh for each export (an
    # affine permutation of the id with a random key), so the row order does not tell who
    # answered first: anonymous answers are dated to the day, and so is the file.
    modulus = 2_147_483_647
    multiplier, offset = secrets.randbelow(modulus - 2) + 1, secrets.randbelow(modulus)
    # 64-bit arithmetic: the product overflows PostgreSQL's 32-bit integer.
    shuffle = (cast(Response.id, BigInteger) * literal(multiplier, BigInteger) + offset) % modulus
    stmt = (
        select(Response.id, Response.campaign_id, Response.survey_version_id, Response.site_id,
               Response.stakeholder_group, Response.language, Response.submitted_on)
        .where(Response.status == "complete", Response.id <= snapshot.max_id, *where)
        .order_by(Response.campaign_id, Response.site_id, Response.submitted_on, shuffle,
                  Response.id)
        .execution_options(yield_per=batch_size)
    )  # fmt: skip
    answer_columns = select(Answer.response_id, Answer.question, Answer.value, Answer.number)
    for batch in db.session.execute(stmt).partitions():
        kept = [
            row for row in batch
            if (row.site_id, row.stakeholder_group, period_of(row.submitted_on))
            in snapshot.allowed
        ]  # fmt: skip
        if not kept:
            continue
        answers: dict[int, list] = defaultdict(list)
        ids = [row.id for row in kept]
        for answer in db.session.execute(
            answer_columns.where(Answer.response_id.in_(ids)).order_by(Answer.id)
        ):
            answers[answer.response_id].append(answer)
        yield kept, answers


def _response_rows(
    snapshot: ResponseSnapshot, batch_size: int, stats: dict, *, free_text: bool = False
) -> Iterator[list]:
    from portal.surveys.models import Campaign

    sites = _site_lookup()
    campaigns = dict(db.session.execute(select(Campaign.id, Campaign.name)).all())
    versions = _version_questions()
    number = 0
    stats["responses"] = stats["answers"] = 0
    for kept, answers in kept_responses(snapshot, batch_size):
        for row in kept:
            number += 1
            form_id, label, questions = versions.get(row.survey_version_id, ("", "", {}))
            code, site_name, country, supplier = sites.get(row.site_id, ("", "", "", ""))
            head = [
                number, campaigns.get(row.campaign_id, ""), form_id, label, code, site_name,
                country, supplier, row.stakeholder_group, row.language, row.submitted_on,
            ]  # fmt: skip
            for answer in answers.pop(row.id, ()):
                info = questions.get(answer.question, _UNKNOWN_QUESTION)
                if not free_text and is_free_text(info.kind):
                    continue
                yield [*head, answer.question, info.label, answer.value,
                       _value_label(info, answer.value), answer.number, info.indicator]  # fmt: skip
                stats["answers"] += 1
        stats["responses"] = number


def _responses_note(snapshot: ResponseSnapshot) -> str:
    return _(
        "Suppression: %(responses)s responses (%(answers)s answers) were left out: every "
        "response of a site, stakeholder group and quarter with fewer than %(threshold)s "
        "responses (%(cells)s such groups), so that nobody in a small group can be singled "
        "out. Supplier questionnaires are not part of this export.",
        responses=snapshot.left_out_responses,
        answers=snapshot.left_out_answers,
        threshold=STAFF_THRESHOLD,
        cells=snapshot.left_out_cells,
    )


def _open_answers_note(free_text: bool) -> str:
    if free_text:
        return _(
            "Free text: this file includes the answers to open questions (asked for "
            "explicitly). They may identify the person who wrote them: share with care."
        )
    return _(
        "Free text: answers to open questions are left out, because they may identify the "
        "person who wrote them; ask for the file with free text to include them."
    )


def _common_notes() -> list[str]:
    return [str(dictionary.FORMULA_NOTE)]


# signals ------------------------------------------------------------------------------------


def parse_period(value: str | None) -> str:
    from portal.risk.signals import current_period

    if not value:
        return current_period()
    value = value.strip().upper()
    if not PERIOD.match(value):
        raise ExportError(value)
    return value


def _prepare_signals(options: Options) -> Prepared:
    period = parse_period(options.period)
    prepared = Prepared("signals", dictionary.SIGNALS, (), label=period)
    prepared.rows = _signal_rows(options.user, period)
    prepared.notes = lambda: [
        _("Period: %(period)s.", period=period),
        _signals_note(),
        *_common_notes(),
    ]
    return prepared


def _signals_note() -> str:
    return _(
        "Cells with fewer than %(threshold)s valid answers are marked suppressed and carry no "
        "numbers (the threshold for compliance staff; suppliers and the public see none under "
        "10).",
        threshold=STAFF_THRESHOLD,
    )


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def _signal_rows(user, period: str) -> Iterator[list]:
    from portal.risk.catalogue import INDICATORS, STAKEHOLDER_GROUPS
    from portal.risk.models import RiskCell
    from portal.risk.signals import ORDER, site_signals
    from portal.suppliers.queries import visible_sites

    sites = visible_sites(user)
    present = set(db.session.scalars(
        select(RiskCell.stakeholder_group).distinct().where(RiskCell.period == period)
    ))  # fmt: skip
    groups = [group for group in STAKEHOLDER_GROUPS if group in present]
    groups += sorted(present - set(groups))
    position = {indicator: index for index, indicator in enumerate(ORDER)}
    for group in groups:
        for summary in site_signals(sites, period, group=group, user=user):
            site = summary.site
            head = [period, group, site.code, site.name, site.supplier.name, site.country]
            ordered = sorted(
                summary.signals.items(),
                key=lambda item: (position.get(item[0], len(ORDER)), item[0]),
            )
            for indicator, signal in ordered:
                known = INDICATORS.get(indicator)
                name = str(known.name) if known else _("Forced labour (composite)")
                if signal.hidden:
                    status, numbers, refusal = "suppressed", [None] * 12, None
                else:
                    status = "shown"
                    cred = signal.cred90 or (None, None)
                    wilson = signal.wilson95 or (None, None)
                    numbers = [
                        signal.k, signal.n, signal.missing, _rounded(signal.p0),
                        _rounded(signal.posterior_mean), _rounded(cred[0]), _rounded(cred[1]),
                        _rounded(signal.k / signal.n) if signal.n else None,
                        _rounded(wilson[0]), _rounded(wilson[1]), _rounded(signal.score, 2),
                        signal.band,
                    ]  # fmt: skip
                    refusal = _rounded(signal.refusal)
                numbers += [signal.effective_band, signal.override, signal.discrepancy, refusal]
                yield [*head, indicator, name, status, *numbers, summary.needs_attention]


# cases --------------------------------------------------------------------------------------


def _prepare_cases(options: Options) -> Prepared:
    columns = dictionary.columns("cases", free_text=options.free_text)
    prepared = Prepared("cases", columns, ())
    prepared.rows = _case_rows(options.user, options.free_text, options.batch_size)
    prepared.notes = lambda: [_cases_note(options.free_text), *_common_notes()]
    return prepared


def _cases_note(free_text: bool) -> str:
    if free_text:
        return _(
            "Free text: this file includes the reporters' descriptions (asked for explicitly). "
            "Call-back contacts and case messages are never exported."
        )
    return _(
        "Free text: none. Descriptions, messages and call-back contacts are left out; ask for "
        "the descriptions explicitly to include them."
    )


def _day(moment: datetime | None) -> date | None:
    from portal.grievances.services import as_utc

    return None if moment is None else as_utc(moment).date()


def _case_rows(user, free_text: bool, batch_size: int) -> Iterator[list]:
    from portal.db import utcnow
    from portal.grievances.models import Grievance
    from portal.grievances.services import overdue_reason
    from portal.security import scoped

    sites = _site_lookup()
    now = utcnow()
    wanted = [Grievance.id, Grievance.site_id, Grievance.reported_place,
              Grievance.stakeholder_group, Grievance.category, Grievance.status,
              Grievance.severity, Grievance.indicators, Grievance.received_on,
              Grievance.acknowledge_due_at, Grievance.resolve_due_at, Grievance.acknowledged_at,
              Grievance.resolved_at, Grievance.satisfaction]  # fmt: skip
    if free_text:
        wanted.append(Grievance.description)
    stmt = scoped(select(*wanted), user, site_id=Grievance.site_id).order_by(Grievance.id)
    for case in db.session.execute(stmt.execution_options(yield_per=batch_size)):
        code, site_name, country, supplier = sites.get(case.site_id, (None, None, None, None))
        overdue = overdue_reason(case, now)
        row = [
            case.id, code, site_name, None if case.site_id else case.reported_place, supplier,
            country, case.stakeholder_group, case.category, case.status, case.severity,
            " ".join(case.indicators or []), case.received_on, _day(case.acknowledge_due_at),
            _day(case.resolve_due_at), _day(case.acknowledged_at), _day(case.resolved_at),
            overdue is not None, overdue, case.satisfaction,
        ]  # fmt: skip
        if free_text:
            row.append(case.description)
        yield row


# dictionary ---------------------------------------------------------------------------------


def _prepare_dictionary(options: Options) -> Prepared:
    from portal.exports.wide import layout_notes

    everything = dictionary.every_column()
    suppression = _responses_note(response_snapshot())
    notes = {
        "responses": [suppression],
        "wide": [suppression, *layout_notes()],
        "signals": [_signals_note()],
        "cases": [_cases_note(False)],
    }
    for info in EXPORTS.values():
        if info.prepare is not None:
            everything[info.name] = info.columns
            notes[info.name] = info.notes() if info.notes else []
    # The dictionary describes itself last.
    everything["dictionary"] = everything.pop("dictionary")
    notes["dictionary"] = _common_notes()
    return Prepared("dictionary", dictionary.DICTIONARY, _dictionary_rows(everything, notes))
