"""The one service that turns rollups, supplier claims and grievances into signals.

Everything that shows a risk number (dashboards, exports, reports) reads ``site_signals`` and
never the answers themselves; suppression (portal.risk.suppression) is applied here, before
any number leaves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import special
from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.risk import scoring, suppression
from portal.risk.catalogue import INDICATORS
from portal.risk.classify import FLX, classify, period_of, previous_period
from portal.risk.models import RiskCell

#: Indicators in display order, FLX (the forced-labour composite) after the FL ones.
ORDER = [*[i for i in INDICATORS if i.startswith("FL")], FLX,
         *[i for i in INDICATORS if not i.startswith("FL")]]  # fmt: skip
FORCED_LABOUR = [*[i for i in INDICATORS if i.startswith("FL")], FLX]
BAND_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
#: Case statuses that make a case credible (it was read and taken forward) or substantiated
#: (action is being taken: the override holds until the case is closed after verification).
CREDIBLE = ("acknowledged", "investigating", "action_planned", "resolved")
SUBSTANTIATED = ("action_planned", "resolved")
#: A large site that stays silent for two quarters is a sign of low trust, not of no problems.
NEAR_SILENCE_HEADCOUNT = 500


def is_zero_tolerance(indicator: str) -> bool:
    return indicator == FLX or (indicator in INDICATORS and INDICATORS[indicator].zero_tolerance)


@dataclass(slots=True)
class Signal:
    site_id: int
    group: str
    indicator: str
    period: str
    k: int
    n: int
    missing: int
    hidden: bool = False
    score: float | None = None
    band: str | None = None
    posterior_mean: float | None = None
    cred90: tuple[float, float] | None = None
    p0: float | None = None
    trend: float | None = None
    override: str | None = None
    discrepancy: bool = False

    # Derived from the counts when a page asks, not for each of the thousands of signals a
    # heatmap builds (a hidden signal has its counts zeroed, so both are None for it).
    @property
    def wilson95(self) -> tuple[float, float] | None:
        return scoring.wilson_interval(self.k, self.n) if self.n else None

    @property
    def refusal(self) -> float | None:
        return scoring.refusal_rate(self.missing, self.n)

    @property
    def effective_band(self) -> str | None:
        """The band after grievance overrides: a credible zero-tolerance case lifts the
        signal to at least high, a substantiated one to critical."""
        lifted = {"credible_case": "high", "substantiated_case": "critical"}.get(self.override)
        bands = [band for band in (self.band, lifted) if band]
        return max(bands, key=BAND_RANK.get) if bands else None

    @property
    def no_reports(self) -> bool:
        return not self.hidden and self.k == 0 and self.n > 0


@dataclass
class SiteSignals:
    site: object
    signals: dict[str, Signal] = field(default_factory=dict)
    #: Some zero-tolerance report sits inside a suppressed cell.
    needs_attention: bool = False
    cases: int = 0
    cases_per_1000: float | None = None
    near_silence: bool = False
    discrepancies: list[str] = field(default_factory=list)

    @property
    def forced_labour(self) -> Signal | None:
        """The roll-up: the worst forced-labour signal (an average would hide it)."""
        shown = [s for i, s in self.signals.items() if i in FORCED_LABOUR and s.effective_band]
        return max(shown, key=lambda s: (BAND_RANK[s.effective_band], s.score or 0), default=None)

    @property
    def band(self) -> str | None:
        worst = self.forced_labour
        return worst.effective_band if worst else None


def _batch_scores(k, n, p0, tau, m=scoring.PRIOR_WEIGHT):
    """Vectorised score, posterior mean and 90 % interval for many cells at once (the
    scalar scoring.score_cell agrees; a heatmap of 200 sites needs thousands of cells)."""
    k, n, p0, tau = (np.asarray(x, dtype=float) for x in (k, n, p0, tau))
    a = m * p0 + k
    b = m * (1 - p0) + n - k
    score = np.clip(100 * special.betaincc(a, b, tau), 0, 100)
    mean = a / (a + b)
    low = special.betaincinv(a, b, 0.05)
    high = special.betaincinv(a, b, 0.95)
    return score, mean, low, high


def _cells(period: str, group: str | None, site_ids) -> list:
    """Plain rows, not ORM objects: a heatmap reads thousands and only needs the numbers."""
    stmt = select(
        RiskCell.site_id, RiskCell.stakeholder_group, RiskCell.indicator,
        RiskCell.k, RiskCell.n, RiskCell.missing,
    ).where(RiskCell.period == period)  # fmt: skip
    if group:
        stmt = stmt.where(RiskCell.stakeholder_group == group)
    if site_ids is not None:
        stmt = stmt.where(RiskCell.site_id.in_(site_ids))
    return list(db.session.execute(stmt))


#: A baseline is shown to suppliers and the public only when it pools this many sites: with
#: two sites, the pooled rate and one's own rate would give away the other's.
BASELINE_MIN_SITES = 5


def baselines(period: str, group: str | None = None) -> dict[tuple[str, str], tuple[float, int]]:
    """Pooled baseline p0 per (group, indicator) across all sites for the period, with the
    number of sites it pools."""
    stmt = (
        select(RiskCell.stakeholder_group, RiskCell.indicator,
               func.sum(RiskCell.k), func.sum(RiskCell.n),
               func.count(func.distinct(RiskCell.site_id)))
        .where(RiskCell.period == period)
        .group_by(RiskCell.stakeholder_group, RiskCell.indicator)
    )  # fmt: skip
    if group:
        stmt = stmt.where(RiskCell.stakeholder_group == group)
    return {
        (g, indicator): (scoring.pooled_baseline([(int(k or 0), int(n or 0))]), int(sites))
        for g, indicator, k, n, sites in db.session.execute(stmt)
    }


def external_baselines(group: str | None = None) -> dict[tuple[str, str, str, str], tuple]:
    """Imported baselines: (country, sector, group, indicator) → (p0, sites pooled)."""
    from portal.risk.models import RiskBaseline

    stmt = select(RiskBaseline)
    if group:
        stmt = stmt.where(RiskBaseline.stakeholder_group == group)
    return {
        (row.country, row.sector, row.stakeholder_group, row.indicator):
            (scoring.pooled_baseline([(row.k, row.n)]), row.sites)
        for row in db.session.scalars(stmt)
    }  # fmt: skip


def site_signals(
    sites, period: str, *, group: str = "workers", user=None, with_trend: bool = False
) -> list[SiteSignals]:
    """Signals for ``sites`` (already scoped to what ``user`` may see) in ``period``."""
    site_ids = [site.id for site in sites]
    result = {site.id: SiteSignals(site) for site in sites}
    cells = _cells(period, group, site_ids)
    pooled = baselines(period, group)
    external = external_baselines(group)
    place = {site.id: (site.country, site.sector) for site in sites}

    def prior(cell) -> tuple[float, int]:
        """(p0, sites pooled): the imported country × sector baseline, else the pooled one."""
        key = (*place[cell.site_id], cell.stakeholder_group, cell.indicator)
        if key in external:
            return external[key]
        return pooled.get((cell.stakeholder_group, cell.indicator),
                          (scoring.DEFAULT_BASELINE, 0))  # fmt: skip

    threshold = suppression.threshold_for(user)
    complementary = suppression.needs_complementary(user)
    staff = not complementary
    hidden = suppression.hidden_cells(_suppression_counts(cells), threshold,
                                      complementary=complementary)  # fmt: skip
    shown = [c for c in cells if (c.site_id, c.indicator) not in hidden]
    if shown:
        score, mean, low, high = _batch_scores(
            [c.k for c in shown],
            [c.n for c in shown],
            [prior(c)[0] for c in shown],
            [scoring.tau_for(c.indicator) for c in shown],
        )
    previous = {}
    if with_trend:
        before = _cells(previous_period(period), group, site_ids)
        before_hidden = suppression.hidden_cells(_suppression_counts(before), threshold,
                                                 complementary=complementary)  # fmt: skip
        previous = {(c.site_id, c.indicator): c for c in before
                    if (c.site_id, c.indicator) not in before_hidden}  # fmt: skip
    position = {id(c): index for index, c in enumerate(shown)}
    for cell in cells:
        signal = Signal(cell.site_id, cell.stakeholder_group, cell.indicator, period,
                        cell.k, cell.n, cell.missing)  # fmt: skip
        summary = result[cell.site_id]
        if (cell.site_id, cell.indicator) in hidden:
            signal.hidden = True
            signal.k = signal.n = signal.missing = 0  # nothing of a hidden cell leaves
            if cell.k > 0 and is_zero_tolerance(cell.indicator):
                summary.needs_attention = True
        else:
            index = position[id(cell)]
            p0, pooled_sites = prior(cell)
            signal.p0 = p0 if staff or pooled_sites >= BASELINE_MIN_SITES else None
            signal.score = float(score[index])
            signal.band = scoring.band(signal.score)
            signal.posterior_mean = float(mean[index])
            signal.cred90 = (float(low[index]), float(high[index]))
            before = previous.get((cell.site_id, cell.indicator))
            if before is not None and before.n and cell.n:
                signal.trend = scoring.probability_increase(cell.k, cell.n, before.k, before.n, p0)
        summary.signals[cell.indicator] = signal
    if staff:
        # Suppliers never learn from a lifted band or a case count that someone complained.
        _apply_grievances(result, period, group)
    _apply_claims(result, group)
    return list(result.values())


def _suppression_counts(cells) -> dict[tuple[int, str], int]:
    """n per cell for suppression; a cell of refusals only (n = 0) is hidden like a small one."""
    return {(c.site_id, c.indicator): c.n if c.n else int(c.missing > 0) for c in cells}


def quarter_bounds(period: str) -> tuple[date, date]:
    year, quarter = int(period[:4]), int(period[-1])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


def _apply_grievances(result: dict[int, SiteSignals], period: str, group: str) -> None:
    from portal.grievances.models import Grievance

    start, end = quarter_bounds(period)
    previous_start, _ = quarter_bounds(previous_period(period))
    site_ids = list(result)
    from portal.remediation import queries as plans

    # DESIGN §6: a substantiated case keeps its signal critical until its CAP is verified, so a
    # case answered by an unverified plan counts however old, and a verified plan lifts it.
    rows = db.session.execute(
        select(Grievance.id, Grievance.site_id, Grievance.status, Grievance.indicators,
               Grievance.stakeholder_group, Grievance.received_on)
        .where(Grievance.site_id.in_(site_ids),
               Grievance.status.not_in(("rejected", "duplicate")),
               or_(Grievance.status.not_in(("resolved", "closed")),
                   Grievance.received_on >= previous_start,
                   Grievance.id.in_(plans.unverified_case_ids())))
    ).all()  # fmt: skip
    plan_states = plans.case_plan_states(site_ids)
    recent: dict[int, int] = defaultdict(int)
    for case_id, site_id, status, indicators, case_group, received_on in rows:
        summary = result[site_id]
        if start <= received_on < end:
            summary.cases += 1
        if previous_start <= received_on < end:
            recent[site_id] += 1
        if case_group != group or status not in CREDIBLE:
            continue
        if plan_states.get(case_id) == {"verified"}:
            continue  # remediated and verified with the workers
        kind = "substantiated_case" if status in SUBSTANTIATED else "credible_case"
        for indicator in indicators or []:
            if not is_zero_tolerance(indicator):
                continue
            signal = summary.signals.get(indicator) or Signal(
                site_id, group, indicator, period, 0, 0, 0
            )
            if signal.override != "substantiated_case":
                signal.override = kind
            summary.signals[indicator] = signal
    for site_id, summary in result.items():
        headcount = getattr(summary.site, "headcount", 0) or 0
        if headcount:
            summary.cases_per_1000 = 1000 * summary.cases / headcount
        summary.near_silence = headcount >= NEAR_SILENCE_HEADCOUNT and recent[site_id] == 0


def supplier_claims(site_ids) -> dict[int, dict[str, str]]:
    """The latest submitted questionnaire per site, read as indicator → adverse/ok/missing:
    what the supplier says about itself."""
    from sqlalchemy.orm import selectinload

    from portal.surveys.models import Campaign, Response

    # Start from the few questionnaire campaigns: filtering a million anonymous responses by
    # site and group instead cost tens of milliseconds per dashboard page, growing with data.
    saq_campaigns = list(
        db.session.scalars(select(Campaign.id).where(Campaign.stakeholder_group == "suppliers"))
    )
    if not saq_campaigns:
        return {}
    latest = (
        select(func.max(Response.id))
        .where(Response.campaign_id.in_(saq_campaigns), Response.site_id.in_(site_ids),
               Response.status.in_(("submitted", "accepted")))
        .group_by(Response.site_id)
    )  # fmt: skip
    stmt = (
        select(Response)
        .where(Response.id.in_(latest))
        .options(selectinload(Response.answers), selectinload(Response.survey_version))
    )
    claims: dict[int, dict[str, str]] = {}
    for response in db.session.scalars(stmt):
        answers = {answer.question: answer.value for answer in response.answers}
        claims[response.site_id] = classify(response.survey_version.spec(), answers)
    return claims


def _apply_claims(result: dict[int, SiteSignals], group: str) -> None:
    """A supplier that denies an indicator its workers score high or critical on: discrepancy."""
    if group != "workers":
        return
    for site_id, claims in supplier_claims(list(result)).items():
        summary = result[site_id]
        for indicator, claim in claims.items():
            signal = summary.signals.get(indicator)
            if (claim == "ok" and signal and not signal.hidden and signal.score is not None
                    and signal.score >= 50):  # fmt: skip
                signal.discrepancy = True
                summary.discrepancies.append(indicator)


def current_period() -> str:
    from datetime import UTC, datetime

    return period_of(datetime.now(UTC).date())
