"""Every number of a public report, computed from the database and passed through the
suppression gate at the public threshold (10) before it is stored or shown.

The gate (docs/reports.md): a count of people, or of cases that stand for people, is shown
only when it is 0 or at least 10; in a table published with totals, the totals are cells of
the table too, and complementary suppression (``portal.risk.suppression``) hides further cells
until no row or column has exactly one hidden cell, so that nothing comes back by
subtraction. Counts of places and records (suppliers, sites, countries, plans, activities) are
not counts of people and are shown as they are. The result is plain JSON: a published version
stores it unchanged.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from portal.extensions import db
from portal.risk.classify import period_of
from portal.risk.suppression import PUBLIC_THRESHOLD, hidden_cells

TOTAL = "total"
BANDS = ("critical", "high", "medium", "low")
#: The public report lists the indicators with the most sites at high or critical.
TOP_RISKS = 8
OUTCOMES = ("open", "resolved", "closed", "rejected", "duplicate")


def publishing_viewer(supplier_id: int | None = None):
    """Who a report or a pack is computed as: everything of the programme (or of one
    supplier) in scope, with the public threshold and complementary suppression."""
    if supplier_id is None:
        return SimpleNamespace(role="compliance", id=None, publishes=True, supplier_id=None)
    return SimpleNamespace(role="supplier", id=None, publishes=True, supplier_id=supplier_id)


def gate(n: int, threshold: int = PUBLIC_THRESHOLD) -> int | None:
    """One count on its own: shown when 0 or at least ``threshold``."""
    return n if n == 0 or n >= threshold else None


def table(counts: dict[tuple[str, str], int], rows, cols,
          threshold: int = PUBLIC_THRESHOLD) -> dict:  # fmt: skip
    """A rows × cols table with row, column and grand totals, gated as one table.

    Returns ``{"rows", "cols", "cells": {"row|col": n or None}}`` where the totals are the
    cells ``row|total``, ``total|col`` and ``total|total``; None is "not shown"."""
    full: dict[tuple[str, str], int] = {}
    for row in rows:
        for col in cols:
            full[(row, col)] = int(counts.get((row, col), 0))
    for row in rows:
        full[(row, TOTAL)] = sum(full[(row, col)] for col in cols)
    for col in (*cols, TOTAL):
        full[(TOTAL, col)] = sum(full[(row, col)] for row in rows)
    hidden = hidden_cells(full, threshold, complementary=True)
    return {
        "rows": list(rows),
        "cols": list(cols),
        "cells": {f"{r}|{c}": (None if (r, c) in hidden else n) for (r, c), n in full.items()},
    }


def split(parts: dict[str, int], threshold: int = PUBLIC_THRESHOLD) -> dict[str, int | None]:
    """Parts of one whole published with it (e.g. in time / late of all received): a
    one-row table, so a hidden part never comes back as whole minus the others."""
    gated = table({("all", key): n for key, n in parts.items()}, ["all"], list(parts), threshold)
    return {key: gated["cells"][f"all|{key}"] for key in (*parts, TOTAL)}


def compute(start: date, end: date, *, with_effectiveness: bool = True) -> dict:
    viewer = publishing_viewer()
    figures = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "threshold": PUBLIC_THRESHOLD,
        "scope": scope(viewer, start, end),
        "grievances": grievances(viewer, start, end),
        "risks": risks(viewer, end),
        "remediation": remediation(viewer, start, end),
        "engagement": engagement(viewer, start, end),
    }
    if with_effectiveness:
        from portal.reports.effectiveness import criteria

        figures["effectiveness"] = criteria(viewer, start, end)
    return figures


# --- sections ---------------------------------------------------------------------------------


def scope(viewer, start: date, end: date) -> dict:
    from portal.risk.catalogue import STAKEHOLDER_GROUPS
    from portal.risk.models import ResponseCount
    from portal.suppliers.queries import visible_sites
    from portal.surveys.models import Campaign

    sites = visible_sites(viewer)
    site_ids = [s.id for s in sites]
    stmt = (
        select(Campaign.stakeholder_group, func.sum(ResponseCount.count))
        .join(Campaign, Campaign.id == ResponseCount.campaign_id)
        .where(ResponseCount.day >= start, ResponseCount.day <= end,
               ResponseCount.site_id.in_(site_ids))
        .group_by(Campaign.stakeholder_group)
    )  # fmt: skip
    reached = {group: int(n or 0) for group, n in db.session.execute(stmt)}
    groups = [g for g in STAKEHOLDER_GROUPS if g in reached] or ["workers"]
    return {
        "suppliers": len({s.supplier_id for s in sites}),
        "sites": len(sites),
        "countries": sorted({s.country for s in sites}),
        "headcount": sum(s.headcount or 0 for s in sites),
        "reached": table({(g, "responses"): reached.get(g, 0) for g in groups}, groups,
                         ["responses"]),
    }  # fmt: skip


def _cases(viewer, start: date, end: date) -> list:
    from portal.grievances.models import Grievance
    from portal.security import scoped

    stmt = scoped(
        select(Grievance).where(Grievance.received_on >= start, Grievance.received_on <= end),
        viewer, site_id=Grievance.site_id,
    )  # fmt: skip
    return list(db.session.scalars(stmt))


def outcome_of(case) -> str:
    return case.status if case.status in OUTCOMES else "open"


def days_to_resolve(case) -> float | None:
    from portal.grievances.services import as_utc

    if case.resolved_at is None:
        return None
    return (as_utc(case.resolved_at) - as_utc(case.clock_started_at)).total_seconds() / 86400


def acknowledged_in_time(case) -> bool:
    from portal.grievances.services import as_utc

    return case.acknowledged_at is not None and (
        as_utc(case.acknowledged_at) <= as_utc(case.acknowledge_due_at)
    )


def grievances(viewer, start: date, end: date) -> dict:
    from portal.grievances.models import CATEGORY_INDICATORS, SATISFACTION

    cases = _cases(viewer, start, end)
    in_time = sum(acknowledged_in_time(c) for c in cases)
    resolved = [c for c in cases if c.resolved_at is not None]
    days = [d for d in (days_to_resolve(c) for c in resolved) if d is not None]
    outcomes = Counter((c.category, outcome_of(c)) for c in cases)
    categories = [key for key in CATEGORY_INDICATORS if any(k[0] == key for k in outcomes)]
    satisfaction = Counter(c.satisfaction for c in cases if c.satisfaction)
    return {
        "acknowledged": split({"in_time": in_time, "late": len(cases) - in_time}),
        "resolved": split({"resolved": len(resolved), "not_resolved": len(cases) - len(resolved)}),
        # A median of fewer than 10 cases would describe a handful of identifiable people.
        "median_days": round(statistics.median(days), 1) if gate(len(days)) else None,
        "outcomes": table(outcomes, categories, list(OUTCOMES)),
        "satisfaction": split({key: satisfaction.get(key, 0) for key in SATISFACTION}),
    }


def risks(viewer, end: date) -> dict:
    """Sites per band for each indicator in the last quarter of the period (workers), from
    signals already gated at 10 answers with complementary suppression."""
    from portal.risk.signals import ORDER, site_signals
    from portal.suppliers.queries import visible_sites

    quarter = period_of(end)
    counts: dict[str, Counter] = defaultdict(Counter)
    hidden = attention = 0
    for summary in site_signals(visible_sites(viewer), quarter, user=viewer):
        attention += summary.needs_attention
        for indicator, signal in summary.signals.items():
            if signal.hidden:
                hidden += 1
            elif signal.effective_band:
                counts[indicator][signal.effective_band] += 1
    ranked = sorted(
        (i for i in counts if counts[i]["critical"] + counts[i]["high"]),
        key=lambda i: (-counts[i]["critical"], -counts[i]["high"], ORDER.index(i)
                       if i in ORDER else len(ORDER)),
    )[:TOP_RISKS]  # fmt: skip
    return {
        "quarter": quarter,
        "rows": [{"indicator": i, **{band: counts[i][band] for band in BANDS}} for i in ranked],
        "scored": sum(sum(c.values()) for c in counts.values()),
        "hidden": hidden,
        "attention": attention,
    }


def remediation(viewer, start: date, end: date) -> dict:
    from portal.remediation import queries as cap_queries

    plans = list(db.session.scalars(cap_queries.visible(viewer)))
    opened = [p for p in plans if start <= p.created_at.date() <= end]
    verified = [p for p in plans if p.verified_on and start <= p.verified_on <= end]
    workers = sum(p.remedy_workers or 0 for p in verified)
    fee_plans = [p for p in verified if "FL02" in p.indicators and p.remedy_amount is not None]
    fees: dict[str, float] = defaultdict(float)
    for plan in fee_plans:
        fees[plan.remedy_currency or ""] += float(plan.remedy_amount)
    # An amount repaid to fewer than 10 workers is close to what each of them was owed.
    fee_workers = sum(p.remedy_workers or 0 for p in fee_plans)
    return {
        "opened": len(opened),
        "verified": len(verified),
        "open_now": sum(p.status not in ("verified", "closed") for p in plans
                        if p.created_at.date() <= end),
        "workers_remedied": gate(workers),
        "fees": ({cur: round(amount, 2) for cur, amount in sorted(fees.items())}
                 if fees and gate(fee_workers) else None),
        "fees_hidden": bool(fees) and not gate(fee_workers),
    }  # fmt: skip


def engagement(viewer, start: date, end: date) -> dict:
    """Engagements (campaigns, activities, consultations: records) and the people they
    reached (answers, participants, comments: gated) per stakeholder group × area."""
    from portal.engagement import matrix
    from portal.risk.catalogue import ENGAGEMENT_AREAS, STAKEHOLDER_GROUPS

    built = matrix.build(viewer, start, end, matrix.scope_for(viewer))
    events = {f"{g}|{a}": c.campaigns + c.activities + c.consultations
              for (g, a), c in built.cells.items()}  # fmt: skip
    people = {(g, a): c.responses + c.participants + c.comments
              for (g, a), c in built.cells.items()}  # fmt: skip
    return {
        "events": events,
        "people": table(people, list(STAKEHOLDER_GROUPS), list(ENGAGEMENT_AREAS)),
        "covered": built.covered,
        "cells": len(STAKEHOLDER_GROUPS) * len(ENGAGEMENT_AREAS),
    }
