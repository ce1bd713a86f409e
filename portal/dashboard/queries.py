"""Reads for the dashboard. Signals come from ``signals.site_signals`` (suppression applied for
the viewer), counts from the rollups and small tables; nothing here reads answers.

Who sees what beyond the signals themselves:
- grievance information (case counts, rates, overrides, near-silence) is for compliance and
  monitors only: suppliers never see grievances, and a band lifted by a case would tell a
  supplier that a worker complained;
- response counts shown to a supplier follow the public threshold (n ≥ 10, complementary).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.forms import query_int
from portal.risk import signals, suppression
from portal.risk.catalogue import INDICATORS, STAKEHOLDER_GROUPS
from portal.risk.models import ResponseCount, RiskCell
from portal.suppliers.queries import visible_sites

#: Stakeholder groups whose answers become risk cells (supplier answers are claims instead).
SIGNAL_GROUPS = tuple(group for group in STAKEHOLDER_GROUPS if group != "suppliers")
BANDS = ("critical", "high", "medium", "low")
BAND_LABELS = {
    "low": _l("low"),
    "medium": _l("medium"),
    "high": _l("high"),
    "critical": _l("critical"),
}
AREA_LABELS = {
    "code_of_conduct": _l("Code of conduct"),
    "risk_assessment": _l("Risk assessment"),
    "training": _l("Training"),
    "communication": _l("Communication"),
    "monitoring": _l("Monitoring and verification"),
    "remediation": _l("Remediation"),
    "public_reporting": _l("Public reporting"),
}
CASE_ROLES = ("compliance", "monitor")


def indicator_name(indicator: str):
    if indicator == signals.FLX:
        return _l("Forced labour (involuntariness and coercion together)")
    return INDICATORS[indicator].name


def sees_cases(user) -> bool:
    return getattr(user, "role", None) in CASE_ROLES


def shown_band(signal: signals.Signal, user) -> str | None:
    """The band a viewer sees: with grievance overrides for staff who see cases, the survey
    band alone for suppliers."""
    return signal.effective_band if sees_cases(user) else signal.band


# --- filters ---------------------------------------------------------------------------------


@dataclass
class Filters:
    period: str
    group: str = "workers"
    country: str = ""
    supplier: int | None = None
    sector: str = ""

    def args(self, **changes) -> dict:
        """Query arguments that reproduce these filters (for links between pages)."""
        values = {"period": self.period, "group": self.group, "country": self.country,
                  "supplier": self.supplier, "sector": self.sector, **changes}  # fmt: skip
        return {key: value for key, value in values.items() if value not in ("", None)}


def available_periods() -> list[str]:
    """Quarters that have data, newest first, and always the current quarter."""
    periods = set(db.session.scalars(select(RiskCell.period).distinct()))
    periods.add(signals.current_period())
    return sorted(periods, reverse=True)


def parse_filters(args, periods: list[str]) -> Filters:
    period = args.get("period", "")
    group = args.get("group", "workers")
    return Filters(
        period=period if period in periods else signals.current_period(),
        group=group if group in SIGNAL_GROUPS else "workers",
        country=args.get("country", "").strip().upper()[:2],
        supplier=args.get("supplier", type=query_int),
        sector=args.get("sector", "").strip()[:30],
    )


@dataclass
class Scope:
    """The sites a viewer may see (for the filter choices) and those the filters keep."""

    visible: list
    sites: list

    @property
    def countries(self) -> list[str]:
        return sorted({site.country for site in self.visible})

    @property
    def suppliers(self) -> list:
        return sorted({site.supplier for site in self.visible}, key=lambda s: s.name)

    @property
    def sectors(self) -> list[str]:
        return sorted({site.sector for site in self.visible})


def scope(user, filters: Filters) -> Scope:
    visible = visible_sites(user)
    sites = [
        site
        for site in visible
        if (not filters.country or site.country == filters.country)
        and (filters.supplier is None or site.supplier_id == filters.supplier)
        and (not filters.sector or site.sector == filters.sector)
    ]
    return Scope(visible, sites)


def site_signals(sites, filters: Filters, user, *, with_trend: bool = False):
    if not sites:
        return []
    return signals.site_signals(
        sites, filters.period, group=filters.group, user=user, with_trend=with_trend
    )


# --- overview --------------------------------------------------------------------------------


@dataclass
class Row:
    """One signal as a list row: the site it belongs to and the band the viewer sees."""

    site: object
    signal: signals.Signal
    band: str


def band_counts(summaries, user) -> dict[str, int]:
    """Sites per band of their forced-labour roll-up; ``none`` for sites without a band."""
    counts = dict.fromkeys((*BANDS, "none"), 0)
    for summary in summaries:
        counts[site_band(summary, user) or "none"] += 1
    return counts


def site_band(summary, user) -> str | None:
    """The forced-labour roll-up as the viewer may see it."""
    rows = [row for row in rows_of(summary, user) if row.signal.indicator in signals.FORCED_LABOUR]
    worst = max(rows, key=_rank, default=None)
    return worst.band if worst else None


def rows_of(summary, user) -> list[Row]:
    # Asked once per site, not per signal: ``current_user`` is a proxy, and resolving it
    # thousands of times was a third of the overview's time at 200 sites.
    with_cases = sees_cases(user)
    rows = []
    for signal in summary.signals.values():
        if signal.hidden:
            continue
        band = signal.effective_band if with_cases else signal.band
        if band is None:
            continue  # a case-only signal, for a viewer who does not see cases
        rows.append(Row(summary.site, signal, band))
    return rows


def _rank(row: Row):
    return (signals.BAND_RANK[row.band], row.signal.score or 0)


def top_signals(summaries, user, limit: int = 10) -> list[Row]:
    rows = [row for summary in summaries for row in rows_of(summary, user)]
    rows = [row for row in rows if signals.BAND_RANK[row.band] >= signals.BAND_RANK["high"]]
    rows.sort(key=lambda row: (_rank(row), -row.site.id), reverse=True)
    return rows[:limit]


def case_counts(user, site_ids) -> dict[str, int] | None:
    """Open and overdue cases at these sites (compliance and monitors only)."""
    if not sees_cases(user):
        return None
    from portal.grievances import queries as grievance_queries
    from portal.grievances.models import OPEN_STATUSES, Grievance

    base = grievance_queries.visible(user).where(
        Grievance.site_id.in_(site_ids), Grievance.status.in_(OPEN_STATUSES)
    )
    count = select(func.count()).select_from(base.subquery())
    overdue = base.where(grievance_queries.overdue_clause(utcnow()))
    return {
        "open": db.session.scalar(count) or 0,
        "overdue": db.session.scalar(select(func.count()).select_from(overdue.subquery())) or 0,
    }


@dataclass
class CampaignRate:
    campaign: object
    responses: int | None  # None: hidden from this viewer
    headcount: int
    sites: int

    @property
    def rate(self) -> float | None:
        if self.responses is None or not self.headcount:
            return None
        return self.responses / self.headcount


def _campaigns_for(site_ids, start: date | None = None, end: date | None = None):
    from portal.surveys.models import Campaign, campaign_sites

    stmt = (
        select(Campaign, campaign_sites.c.site_id)
        .join(campaign_sites, campaign_sites.c.campaign_id == Campaign.id)
        .where(campaign_sites.c.site_id.in_(site_ids))
        .order_by(Campaign.opens_on.desc(), Campaign.id)
    )
    if start is not None:
        stmt = stmt.where(Campaign.opens_on < end, Campaign.closes_on >= start)
    campaigns: dict[int, object] = {}
    sites: dict[int, list[int]] = defaultdict(list)
    for campaign, site_id in db.session.execute(stmt):
        campaigns[campaign.id] = campaign
        sites[campaign.id].append(site_id)
    return campaigns, sites


def _response_counts(campaign_ids, site_ids) -> dict[tuple[int, int], tuple[int, date]]:
    """(campaign, site) → (responses, last day) from the ResponseCount rollup."""
    if not campaign_ids or not site_ids:
        return {}
    stmt = (
        select(ResponseCount.campaign_id, ResponseCount.site_id,
               func.sum(ResponseCount.count), func.max(ResponseCount.day))
        .where(ResponseCount.campaign_id.in_(campaign_ids), ResponseCount.site_id.in_(site_ids))
        .group_by(ResponseCount.campaign_id, ResponseCount.site_id)
    )  # fmt: skip
    return {(c, s): (int(n or 0), day) for c, s, n, day in db.session.execute(stmt)}


def _hidden_counts(counts: dict, user) -> set:
    """Response counts a supplier may not see: under 10, with complementary suppression."""
    if sees_cases(user):
        return set()
    simple = {key: value[0] for key, value in counts.items()}
    return suppression.hidden_cells(
        simple, suppression.threshold_for(user), complementary=suppression.needs_complementary(user)
    )


def response_rates(sites, filters: Filters, user) -> list[CampaignRate]:
    """Per campaign active in the period: responses at the chosen sites ÷ their headcount.
    Supplier questionnaires are left out (one per site, not a response rate)."""
    by_id = {site.id: site for site in sites}
    start, end = signals.quarter_bounds(filters.period)
    campaigns, campaign_site_ids = _campaigns_for(list(by_id), start, end)
    campaigns = {cid: c for cid, c in campaigns.items() if c.stakeholder_group != "suppliers"}
    counts = _response_counts(list(campaigns), list(by_id))
    hidden = _hidden_counts(counts, user)
    rates = []
    for campaign_id, campaign in campaigns.items():
        ids = campaign_site_ids[campaign_id]
        keys = [(campaign_id, site_id) for site_id in ids]
        withheld = any(key in hidden for key in keys)
        total = sum(counts.get(key, (0, None))[0] for key in keys)
        rates.append(
            CampaignRate(
                campaign,
                None if withheld else total,
                sum(by_id[site_id].headcount or 0 for site_id in ids),
                len(ids),
            )
        )
    return rates


# --- site page -------------------------------------------------------------------------------


@dataclass
class Coverage:
    campaign: object
    responses: int | None
    last_day: date | None


def site_coverage(site, user) -> list[Coverage]:
    campaigns, _sites = _campaigns_for([site.id])
    counts = _response_counts(list(campaigns), [site.id])
    result = []
    for campaign_id, campaign in campaigns.items():
        if campaign.stakeholder_group == "suppliers":
            continue
        responses, last = counts.get((campaign_id, site.id), (0, None))
        threshold = suppression.threshold_for(user)
        if not sees_cases(user) and 0 < responses < threshold:
            responses, last = None, None
        result.append(Coverage(campaign, responses, last))
    return result


# --- indicator page --------------------------------------------------------------------------


def indicator_rows(summaries, indicator: str, user) -> tuple[list[Row], list]:
    """Sites ranked by their signal for one indicator; and the sites whose cell is hidden."""
    rows, hidden = [], []
    for summary in summaries:
        signal = summary.signals.get(indicator)
        if signal is None:
            continue
        if signal.hidden:
            hidden.append(summary.site)
            continue
        band = shown_band(signal, user)
        if band is not None:
            rows.append(Row(summary.site, signal, band))
    rows.sort(key=lambda row: (_rank(row), row.signal.n), reverse=True)
    return rows, hidden


def baseline(filters: Filters, indicator: str, user) -> float | None:
    """The pooled baseline, or None when this viewer may not see it (too few sites pooled)."""
    from portal.risk.scoring import DEFAULT_BASELINE
    from portal.risk.suppression import needs_complementary

    p0, sites = signals.baselines(filters.period, filters.group).get(
        (filters.group, indicator), (DEFAULT_BASELINE, 0)
    )
    if needs_complementary(user) and sites < signals.BASELINE_MIN_SITES:
        return None
    return p0
