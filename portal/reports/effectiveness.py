"""The effectiveness of the grievance mechanism against the eight criteria of UNGP 31, from
the evidence the portal itself holds: computed, never typed in (docs/reports.md).

Each figure is ``{"key", "value", "unit", "base"}``: ``value`` None means not shown (its base
is under the threshold, or a part of it would single people out); ``base`` is what a share
is of. Labels and explanations live in ``labels.FIGURES`` and are translated when shown, so
a published version stores numbers only."""

from __future__ import annotations

import statistics
from collections import Counter

from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.reports.figures import _cases, acknowledged_in_time, days_to_resolve, gate, split
from portal.risk.suppression import PUBLIC_THRESHOLD

CRITERIA = ("legitimate", "accessible", "predictable", "equitable", "transparent",
            "rights_compatible", "learning", "dialogue")  # fmt: skip


def _figure(key: str, value, unit: str = "count", base: int | None = None) -> dict:
    return {"key": key, "value": value, "unit": unit, "base": base}


def _share(key: str, yes: int, total: int, threshold: int) -> dict:
    """yes / total as a percentage, shown only when both parts pass the gate."""
    parts = split({"yes": yes, "no": total - yes}, threshold)
    shown = total and parts["yes"] is not None and parts["no"] is not None
    value = round(100 * yes / total, 1) if shown else None
    return _figure(key, value, "percent", parts["total"])


def _median(key: str, values: list[float], unit: str, threshold: int) -> dict:
    value = round(statistics.median(values), 1) if values and gate(len(values), threshold) else None
    return _figure(key, value, unit, gate(len(values), threshold))


def criteria(viewer, start, end, threshold: int = PUBLIC_THRESHOLD) -> dict[str, list[dict]]:
    from portal.grievances.services import as_utc
    from portal.suppliers.queries import visible_sites

    cases = _cases(viewer, start, end)
    sites = visible_sites(viewer)
    total = len(cases)
    counted = gate(total, threshold)
    replied, reporter_wrote = _thread_facts([c.id for c in cases])
    config = current_app.config

    headcount = sum(s.headcount or 0 for s in sites)
    per_1000 = round(1000 * total / headcount, 1) if headcount and counted is not None else None
    languages = [len(s.languages or []) for s in sites]
    acknowledged = [c for c in cases if c.acknowledged_at is not None]
    ack_hours = [(as_utc(c.acknowledged_at) - as_utc(c.clock_started_at)).total_seconds() / 3600
                 for c in acknowledged]  # fmt: skip
    resolved = [c for c in cases if c.resolved_at is not None]
    resolved_in_time = sum(as_utc(c.resolved_at) <= as_utc(c.resolve_due_at) for c in resolved)
    changed = [c for c in cases if c.status_changes]
    saw_all = sum(c.changes_missed == 0 and c.status_seen for c in changed)
    changes = sum(c.status_changes for c in changed)
    seen = sum(c.status_changes - c.changes_missed - (not c.status_seen) for c in changed)
    zero_tolerance, with_plan, verified = _zero_tolerance_plans(cases)
    repeats = _repeats(cases)
    answered = [c for c in cases if c.satisfaction]
    consultations, procedure_comments = _procedure_consultations(viewer, start, end)

    return {
        "legitimate": [
            _figure("groups_using", len({c.stakeholder_group for c in cases}) if counted else None),
            _share(
                "handled_share", sum(c.assignee_id is not None for c in cases), total, threshold
            ),
            _figure("partners_monitoring", _partners_monitoring()),
        ],
        "accessible": [
            _figure(
                "languages_per_site", statistics.median(languages) if languages else None, "number"
            ),
            _figure("sites_multilingual", sum(n >= 2 for n in languages), "count", len(sites)),
            _figure(
                "poster_share",
                round(100 * sum(s.poster_opened_on is not None for s in sites) / len(sites), 1)
                if sites
                else None,
                "percent",
                len(sites),
            ),
            _share("general_entry_share", sum(c.site_id is None for c in cases), total, threshold),
            _figure("reports_per_1000", per_1000, "rate", headcount or None),
        ],
        "predictable": [
            _figure("clock_acknowledge", config["GRIEVANCE_ACKNOWLEDGE_HOURS"], "hours"),
            _share(
                "acknowledged_in_time",
                sum(acknowledged_in_time(c) for c in cases),
                total,
                threshold,
            ),
            _median("median_hours_acknowledge", ack_hours, "hours", threshold),
            _figure("clock_resolve", config["GRIEVANCE_RESOLVE_DAYS"], "days"),
            _share("resolved_in_time", resolved_in_time, len(resolved), threshold),
            _median(
                "median_days_resolve",
                [d for c in resolved if (d := days_to_resolve(c)) is not None],
                "days",
                threshold,
            ),
        ],
        "equitable": [
            _share("reply_share", sum(c.id in replied for c in cases), total, threshold),
            _figure("languages_used", len({c.language for c in cases}) if counted else None),
            _share(
                "callback_share",
                sum(c.contact_encrypted is not None for c in cases),
                total,
                threshold,
            ),
        ],
        "transparent": [
            _share("saw_every_change", saw_all, len(changed), threshold),
            _share("changes_seen", seen, changes, threshold),
            _figure("published_outcomes", consultations["published"]),
        ],
        "rights_compatible": [
            _share("zero_tolerance_planned", with_plan, zero_tolerance, threshold),
            _share("zero_tolerance_verified", verified, zero_tolerance, threshold),
            _share(
                "satisfied_share",
                sum(c.satisfaction in ("satisfied", "partly") for c in answered),
                len(answered),
                threshold,
            ),
        ],
        "learning": [
            _figure("repeat_sites", repeats["sites"] if counted else None),
            _share("repeat_share", repeats["cases"], total, threshold),
            _figure("plans_from_cases", with_plan),
        ],
        "dialogue": [
            _figure("procedure_consultations", consultations["procedure"]),
            _figure("procedure_comments", gate(procedure_comments, threshold)),
            _share(
                "reporter_replied", sum(c.id in reporter_wrote for c in cases), total, threshold
            ),
        ],
    }


def _thread_facts(case_ids: list[int]) -> tuple[set[int], set[int]]:
    """Cases with a staff reply the reporter can read, and cases where the reporter wrote."""
    from portal.grievances.models import GrievanceMessage

    if not case_ids:
        return set(), set()
    rows = db.session.execute(
        select(GrievanceMessage.grievance_id, GrievanceMessage.author)
        .where(GrievanceMessage.grievance_id.in_(case_ids),
               GrievanceMessage.internal.is_(False),
               GrievanceMessage.author.in_(("staff", "reporter")))
        .distinct()
    )  # fmt: skip
    replied, wrote = set(), set()
    for case_id, author in rows:
        (replied if author == "staff" else wrote).add(case_id)
    return replied, wrote


def _zero_tolerance_plans(cases) -> tuple[int, int, int]:
    """Credible cases with a zero-tolerance indicator; of those, how many a CAP answers and
    how many of those plans were verified with the workers."""
    from portal.remediation.models import CapFinding, CorrectiveActionPlan
    from portal.risk.signals import CREDIBLE, is_zero_tolerance

    serious = [c.id for c in cases if c.status in (*CREDIBLE, "closed")
               and any(is_zero_tolerance(i) for i in c.indicators or [])]  # fmt: skip
    planned_ids = {c.id for c in cases}
    rows = db.session.execute(
        select(CapFinding.grievance_id, CorrectiveActionPlan.verified_on)
        .join(CorrectiveActionPlan, CorrectiveActionPlan.id == CapFinding.cap_id)
        .where(CapFinding.grievance_id.in_(planned_ids))
    ).all() if planned_ids else []  # fmt: skip
    planned = {case_id for case_id, _verified in rows}
    verified = {case_id for case_id, verified_on in rows if verified_on is not None}
    return (len(serious), sum(i in planned for i in serious),
            sum(i in verified for i in serious))  # fmt: skip


def _repeats(cases) -> dict[str, int]:
    """The same category raised again at the same site within the period."""
    by_site = Counter((c.site_id, c.category) for c in cases if c.site_id is not None)
    repeated = {key: n for key, n in by_site.items() if n >= 2}
    return {"sites": len({site for site, _category in repeated}),
            "cases": sum(n - 1 for n in repeated.values())}  # fmt: skip


def _partners_monitoring() -> int:
    from portal.accounts.models import User

    stmt = select(func.count(func.distinct(User.partner_id))).where(
        User.role == "monitor", User.partner_id.is_not(None), User.active.is_(True)
    )
    return int(db.session.scalar(stmt) or 0)


def _procedure_consultations(viewer, start, end) -> tuple[dict, int]:
    from portal.engagement import queries
    from portal.engagement.models import Consultation, ConsultationComment

    found = list(db.session.scalars(
        queries.visible_consultations(viewer)
        .where(Consultation.status != "draft", Consultation.opens_on <= end,
               Consultation.closes_on >= start)
    ))  # fmt: skip
    procedure = [c.id for c in found if c.document_kind == "grievance_procedure"]
    comments = db.session.scalar(
        select(func.count(ConsultationComment.id)).where(
            ConsultationComment.consultation_id.in_(procedure)
        )
    ) if procedure else 0  # fmt: skip
    published = sum(c.status == "published" for c in found)
    return {"procedure": len(procedure), "published": published}, int(comments or 0)
