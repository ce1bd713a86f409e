"""Verification that listens to workers: the pulse survey and the before/after comparison.

A pulse survey is a short campaign for one site, generated from the worker voice instrument's
own questions for the plan's indicators (and the questions their skip logic depends on), in the
site's languages. The comparison sets what the site's workers said when the plan was opened
(the finding's baseline snapshot) against what they say in the pulse survey, scored with the
same Beta prior as every signal and put through the same suppression gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.risk import scoring, suppression
from portal.risk.classify import FLX, classify
from portal.risk.models import RiskCell

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
_EXPRESSIONS = ("relevant", "constraint", "calculation", "choice_filter", "required")


class PulseError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- the snapshot taken when a plan is opened ----------------------------------------------


def baseline_for(site_id: int, group: str, indicator: str, period: str | None):
    """(period, k, n) of the site's signal for this indicator: the given quarter, else the
    latest quarter with answers; (None, None, None) when workers were never asked."""
    stmt = select(RiskCell.period, RiskCell.k, RiskCell.n).where(
        RiskCell.site_id == site_id,
        RiskCell.stakeholder_group == group,
        RiskCell.indicator == indicator,
        RiskCell.n > 0,
    )
    if period:
        stmt = stmt.where(RiskCell.period == period)
    row = db.session.execute(stmt.order_by(RiskCell.period.desc()).limit(1)).first()
    return (row.period, row.k, row.n) if row else (None, None, None)


# --- generating the pulse survey -----------------------------------------------------------


def source_spec():
    """The latest version of the worker voice instrument (``REMEDIATION_PULSE_SOURCE``)."""
    from portal.surveys.models import Survey

    form_id = current_app.config["REMEDIATION_PULSE_SOURCE"]
    survey = db.session.scalar(select(Survey).where(Survey.form_id == form_id))
    return survey.latest if survey is not None and survey.latest is not None else None


def covered_indicators(spec) -> set[str]:
    """Indicators the instrument asks workers about (FLX when it has both dimensions)."""
    found = {q.risk.indicator for q in spec.questions if q.risk}
    dimensions = {q.risk.dimension for q in spec.questions if q.risk and q.risk.dimension}
    if {"INV", "COE"} <= dimensions:
        found.add(FLX)
    return found


def pulse_indicators(cap) -> list[str]:
    """The plan's worker-facing indicators that the instrument can ask about again."""
    version = source_spec()
    if version is None:
        return []
    covered = covered_indicators(version.spec())
    return [
        indicator
        for indicator in cap.indicators
        if indicator in covered
        and any(f.indicator == indicator and f.stakeholder_group == "workers" for f in cap.findings)
    ]


def needs_pulse(cap) -> bool:
    return bool(pulse_indicators(cap))


def _references(question) -> set[str]:
    names: set[str] = set()
    for field in _EXPRESSIONS:
        value = getattr(question, field, None)
        if isinstance(value, str):
            names.update(_REFERENCE.findall(value))
    return names


def pulse_definition(spec, indicators: list[str], form_id: str, languages: list[str]) -> dict:
    """A definition with only the questions that feed ``indicators`` (FLX: every question
    with a dimension), the questions their expressions refer to, and the groups around them."""
    wanted = set(indicators)

    def feeds(question) -> bool:
        risk = question.risk
        return bool(risk) and (risk.indicator in wanted or (FLX in wanted and risk.dimension))

    by_name = {q.name: q for q in spec.questions if q.name}
    keep = {q.name for q in spec.questions if feeds(q)}
    pending = list(keep)
    while pending:  # what the kept questions' skip logic and checks read must come along
        for name in _references(by_name[pending.pop()]):
            if name in by_name and name not in keep:
                keep.add(name)
                pending.append(name)
    questions, stack = [], []
    for question in spec.questions:
        if question.type == "begin group":
            stack.append((len(questions), question))
            questions.append(None)  # filled in at the end of the group if it keeps anything
            continue
        if question.type == "end group":
            start, opening = stack.pop()
            if any(item is not None for item in questions[start + 1 :]):
                questions[start] = opening.model_dump(mode="json", exclude_defaults=True)
                questions.append(question.model_dump(mode="json", exclude_defaults=True))
            continue
        if question.name in keep and question.type != "note":
            questions.append(question.model_dump(mode="json", exclude_defaults=True))
    questions = [item for item in questions if item is not None]
    lists = {q.list_name for q in spec.questions if q.name in keep and q.list_name}
    definition = spec.model_dump(mode="json", exclude_defaults=True)
    titles, descriptions = {}, {}
    for code in languages:
        with force_locale(code):
            titles[code] = _("Follow-up: %(title)s", title=spec.title.get(code, ""))
            descriptions[code] = _(
                "A few questions again, to learn whether things have changed at your "
                "workplace. It is anonymous: we do not ask your name and nobody at work can "
                "see your answers. You can skip any question. It takes about 2 minutes."
            )
    definition.update(
        form_id=form_id,
        version="1",
        title=titles,
        description=descriptions,
        audience="workers",
        areas=["remediation", "monitoring"],
        languages=languages,
        default_language=languages[0],
        questions=questions,
        choices={name: items for name, items in definition.get("choices", {}).items()
                 if name in lists},
        translations={code: review for code, review in definition.get("translations", {}).items()
                      if code in languages},
    )  # fmt: skip
    return _only_languages(definition, languages)


def _only_languages(value, languages):
    """Keep only the chosen languages in every translated text of the definition."""
    if isinstance(value, dict):
        if value and set(value) <= set(spec_languages()) and all(isinstance(v, str) for v in
                                                                 value.values()):  # fmt: skip
            return {code: text for code, text in value.items() if code in languages}
        return {key: _only_languages(item, languages) for key, item in value.items()}
    if isinstance(value, list):
        return [_only_languages(item, languages) for item in value]
    return value


def spec_languages() -> tuple[str, ...]:
    from portal.i18n import LANGUAGES

    return tuple(LANGUAGES)


def start_pulse(cap, user, *, days: int | None = None):
    """Generate the pulse survey and deploy it to the plan's site, in the site's languages."""
    from portal.surveys import services as surveys
    from portal.surveys.definitions import parse_definition

    if cap.status not in ("in_progress", "awaiting_verification"):
        raise PulseError("not_ready")
    indicators = pulse_indicators(cap)
    if not indicators:
        raise PulseError("nothing_to_ask")
    start = utcnow().date()
    if cap.pulse_campaign is not None and cap.pulse_campaign.state(start) != "closed":
        raise PulseError("running")
    version = source_spec()
    spec = version.spec()
    languages = [code for code in cap.site.languages if code in spec.languages]
    languages = languages or [spec.default_language]
    attempt = 1 + sum(1 for event in audit.trail("cap", cap.id) if event.action == "pulse")
    form_id = f"pulse-cap-{cap.id}-{attempt}"
    stored, _created = surveys.store_version(
        parse_definition(pulse_definition(spec, indicators, form_id, languages), form_id),
        source=f"{version.survey.form_id} {version.label}",
    )
    days = days or int(current_app.config["REMEDIATION_PULSE_DAYS"])
    # A stored name, read by every staff member: in the portal's default language, not in the
    # language of whoever pressed the button (and callable from the demo, outside a request).
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        name = _("Pulse survey for plan #%(id)s", id=cap.id)
    campaign = surveys.create_campaign(
        surveys.CampaignData(
            name=name,
            survey_version_id=stored.id,
            stakeholder_group="workers",
            site_ids=[cap.site_id],
            opens_on=start,
            closes_on=start + timedelta(days=days),
            languages=languages,
        ),
        created_by_id=user.id,
    )
    cap.pulse_campaign_id = campaign.id
    audit.record("cap", cap.id, user, "pulse", to=campaign.id, indicators=indicators)
    db.session.commit()
    return campaign


# --- the comparison ------------------------------------------------------------------------


def pulse_counts(campaign) -> tuple[int, dict[str, tuple[int, int]]]:
    """(complete responses, indicator → (k, n)) of the pulse campaign. A pulse is one site's
    short campaign, so its answers are read and classified here directly — once per request:
    the plan page asks for the comparison, the response count and the verification check."""
    if not has_request_context():
        return _pulse_counts(campaign)
    cache = g.setdefault("pulse_counts", {})
    if campaign.id not in cache:
        cache[campaign.id] = _pulse_counts(campaign)
    return cache[campaign.id]


def _pulse_counts(campaign) -> tuple[int, dict[str, tuple[int, int]]]:
    from sqlalchemy.orm import selectinload

    from portal.surveys.models import Response

    stmt = (
        select(Response)
        .where(Response.campaign_id == campaign.id, Response.status == "complete")
        .options(selectinload(Response.answers))
    )
    spec = campaign.survey_version.spec()
    counts: dict[str, list[int]] = {}
    responses = 0
    for response in db.session.scalars(stmt):
        responses += 1
        answers = {answer.question: answer.value for answer in response.answers}
        for indicator, status in classify(spec, answers).items():
            k_n = counts.setdefault(indicator, [0, 0])
            k_n[0] += status == "adverse"
            k_n[1] += status != "missing"
    return responses, {key: (k, n) for key, (k, n) in counts.items()}


def pulse_heard(cap) -> bool:
    """Enough of the site's workers answered the pulse survey to show its result to staff."""
    if cap.pulse_campaign is None:
        return False
    responses, _counts = pulse_counts(cap.pulse_campaign)
    return responses >= suppression.STAFF_THRESHOLD


@dataclass
class Comparison:
    indicator: str
    before_period: str | None
    before_k: int | None
    before_n: int | None
    after_k: int | None
    after_n: int | None
    before_score: float | None = None
    after_score: float | None = None
    p_increase: float | None = None
    before_hidden: bool = False
    after_hidden: bool = False
    frozen: bool = False

    @property
    def before_band(self) -> str | None:
        return scoring.band(self.before_score) if self.before_score is not None else None

    @property
    def after_band(self) -> str | None:
        return scoring.band(self.after_score) if self.after_score is not None else None

    @property
    def still_high(self) -> bool:
        return self.after_score is not None and self.after_score >= 50


def _p0(indicator: str, period: str | None) -> float:
    from portal.risk.signals import baselines, current_period

    pooled = baselines(period or current_period(), "workers")
    return pooled.get(("workers", indicator), (scoring.DEFAULT_BASELINE, 0))[0]


def _score(k, n, p0, indicator) -> float | None:
    if not n:
        return None
    return scoring.score_cell(k, n, p0, scoring.tau_for(indicator)).score


def raw_comparison(cap) -> list[tuple[Comparison, float]]:
    """The comparison with every number, before suppression (stored by ``freeze_checks``)."""
    after = pulse_counts(cap.pulse_campaign)[1] if cap.pulse_campaign else {}
    rows = []
    for indicator in pulse_indicators(cap) or [f.indicator for f in cap.findings
                                                if f.stakeholder_group == "workers"]:  # fmt: skip
        finding = next(f for f in cap.findings if f.indicator == indicator)
        p0 = _p0(indicator, finding.baseline_period)
        before_k, before_n = finding.baseline_k or 0, finding.baseline_n or 0
        after_k, after_n = after.get(indicator, (0, 0))
        row = Comparison(
            indicator, finding.baseline_period, before_k, before_n, after_k, after_n,
            before_score=_score(before_k, before_n, p0, indicator),
            after_score=_score(after_k, after_n, p0, indicator),
            p_increase=scoring.probability_increase(after_k, after_n, before_k, before_n, p0),
        )  # fmt: skip
        rows.append((row, p0))
    return rows


def freeze_checks(cap) -> None:
    """Store the comparison as it stands, on verification or closing."""
    from portal.remediation.models import CapCheck

    cap.checks.clear()
    for row, p0 in raw_comparison(cap):
        cap.checks.append(
            CapCheck(
                indicator=row.indicator, before_period=row.before_period,
                before_k=row.before_k, before_n=row.before_n, after_k=row.after_k,
                after_n=row.after_n, p0=p0, before_score=row.before_score,
                after_score=row.after_score, p_increase=row.p_increase,
            )
        )  # fmt: skip


def comparison(cap, user) -> list[Comparison]:
    """What this viewer may see of the comparison: frozen checks once the plan ended, live
    figures before; counts under the viewer's threshold are hidden (complementary for
    suppliers), and a hidden side hides the score and the trend that would give it away."""
    if cap.checks:
        rows = [
            Comparison(c.indicator, c.before_period, c.before_k, c.before_n, c.after_k,
                       c.after_n, c.before_score, c.after_score, c.p_increase, frozen=True)
            for c in cap.checks
        ]  # fmt: skip
    else:
        rows = [row for row, _p0 in raw_comparison(cap)]
    counts = {}
    for row in rows:
        counts[(row.indicator, "before")] = row.before_n or 0
        counts[(row.indicator, "after")] = row.after_n or 0
    hidden = suppression.hidden_cells(
        counts, suppression.threshold_for(user), complementary=suppression.needs_complementary(user)
    )
    for row in rows:
        row.before_hidden = (row.indicator, "before") in hidden
        row.after_hidden = (row.indicator, "after") in hidden
        if row.before_hidden:
            row.before_k = row.before_n = row.before_score = None
        if row.after_hidden:
            row.after_k = row.after_n = row.after_score = None
        if row.before_hidden or row.after_hidden:
            row.p_increase = None
    return rows
