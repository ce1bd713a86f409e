"""Demo corrective action plans, one in every status, built through the same services the plan
pages use: the supplier proposes, compliance reviews, workers answer a pulse survey.

Two plans end the way the issue asks the demo to show: Songkhla's debt plan is verified by a
pulse survey whose signal fell (recruitment fees repaid), and Al Hassan's documents plan was
verified although workers still report held documents (the contradiction the plan page and the
register flag)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.remediation import actions, pulse, services
from portal.remediation.models import CorrectiveActionPlan
from portal.suppliers.models import Site

EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class DemoPlan:
    site: str
    indicator: str
    title: str
    severity: str
    #: the status the plan is walked to
    status: str
    root_cause: str
    actions: list[tuple[str, str]] = field(default_factory=list)  # (owner kind, description)
    case_category: str | None = None  # open it from the demo case of this category, if any
    summary: str = ""
    remedy: tuple[str, Decimal, str, int] | None = None  # description, amount, currency, workers
    #: adverse-answer rates of the pulse survey's simulated workers (None: no pulse)
    pulse_profile: dict[str, float] | None = None
    late: bool = False  # an action whose due date has passed
    closing_note: str = ""


PLANS = [
    DemoPlan("Samut Sakhon Processing Plant", "FL03", "Passports kept in the HR office",
             "critical", "in_progress",
             "Workers were told to hand in passports for visa renewal and the office kept them.",
             [("supplier", "Give every worker back their passport, with a signed receipt."),
              ("supplier", "Install personal lockers that only the worker can open."),
              ("monitor", "Unannounced visit to check that no documents are held.")],
             case_category="documents",
             summary="No worker's identity document is kept by the company or an agent.",
             late=True),
    DemoPlan("Songkhla Cold Store", "FL02", "Recruitment fees paid by workers", "critical",
             "verified",
             "Agents in the sending country charged fees that the company never checked.",
             [("buyer", "Adopt the employer-pays principle in the supplier contract."),
              ("supplier", "Repay every worker the fees they paid, with proof of payment.")],
             summary="Workers pay no recruitment fee and the fees paid are repaid.",
             remedy=("Fees repaid in cash with signed receipts", Decimal("412500.00"), "THB", 165),
             pulse_profile={"FL02": 0.0, "FL03": 0.0, "FL05": 0.0},
             closing_note="Receipts checked; the pulse survey shows debt has fallen."),
    DemoPlan("Al Hassan Estate Factory", "FL03", "Documents held by the dormitory manager",
             "major", "verified",
             "The dormitory manager kept residence cards 'for safety'.",
             [("supplier", "Return residence cards and forbid keeping them in the dormitory.")],
             pulse_profile={"FL03": 0.3, "FL02": 0.2},
             closing_note="Supplier's photos show the cards returned."),
    DemoPlan("Gazipur Knitting Unit", "FA01", "Workers dismissed after a union meeting",
             "critical", "awaiting_verification",
             "Line supervisors were never trained on freedom of association.",
             [("supplier", "Reinstate the two workers with back pay."),
              ("partner", "Freedom of association training for every supervisor.")],
             case_category="union",
             remedy=("Back pay for the weeks out of work", Decimal("46000.00"), "BDT", 2)),
    DemoPlan("Binh Duong Factory", "FL09", "Overtime above the legal limit", "major", "agreed",
             "Orders are confirmed late, so production is squeezed into the last weeks.",
             [("buyer", "Confirm orders six weeks ahead."),
              ("supplier", "Cap overtime at the legal limit and record it.")]),
    DemoPlan("Dongguan Assembly Plant", "FL09", "Twelve-hour days and forced weekend work",
             "major", "draft",
             "Piece rates are too low to earn a living wage in a normal week.",
             [("supplier", "Raise piece rates so a 48-hour week pays a living wage.")],
             case_category="hours"),
    DemoPlan("Bayan Lepas Plant", "FL09", "Overtime at the Bayan Lepas plant", "minor",
             "draft", "Peak season planning relies on overtime.",
             [("supplier", "Hire seasonal workers directly for the peak months.")]),
    DemoPlan("Prai Workers' Dormitory", "FL05", "Dormitory gate locked at night", "major",
             "closed_unverified", "The landlord locks the gate at 22:00.",
             [("supplier", "Keep the gate open and staffed all night.")],
             closing_note="The company moved its workers out of this dormitory."),
]  # fmt: skip


def build_demo_plans(seed: int = 2026) -> int:
    """Create the demo plans unless plans exist already; returns how many were created."""
    if db.session.scalar(select(CorrectiveActionPlan.id).limit(1)) is not None:
        return 0
    lead = db.session.scalar(select(User).where(User.role == "compliance"))
    monitor = db.session.scalar(select(User).where(User.role == "monitor"))
    sites = {site.name: site for site in db.session.scalars(select(Site))}
    rng = random.Random(seed)
    created = 0
    for plan in PLANS:
        site = sites.get(plan.site)
        if site is None or lead is None:
            continue
        _walk(plan, site, lead, _owner(site, lead), monitor, rng)
        created += 1
    return created


def _owner(site, lead):
    """The supplier's own account where the demo has one, else compliance acts for it."""
    return (
        db.session.scalar(
            select(User).where(User.role == "supplier", User.supplier_id == site.supplier_id)
        )
        or lead
    )


def _findings(plan: DemoPlan, site) -> list[services.FindingData]:
    from portal.grievances.models import Grievance

    finding = services.FindingData("signal", plan.indicator, period=None)
    if plan.case_category:
        case_id = db.session.scalar(select(Grievance.id).where(
            Grievance.site_id == site.id, Grievance.category == plan.case_category))  # fmt: skip
        if case_id is not None:
            return [finding, services.FindingData("grievance", plan.indicator,
                                                  grievance_id=case_id)]  # fmt: skip
    return [finding]


def _walk(plan: DemoPlan, site, lead, owner, monitor, rng) -> None:
    day = services.today()
    cap = services.open_plan(services.PlanData(
        site_id=site.id, title=plan.title, severity=plan.severity,
        due_on=day + timedelta(days=75), summary=plan.summary or None,
        verification_plan="Evidence from the supplier and a pulse survey of the site's workers.",
        findings=_findings(plan, site),
    ), lead)  # fmt: skip
    if plan.remedy:
        description, amount, currency, workers = plan.remedy
        services.edit_plan(cap, lead, services.PlanEdit(
            title=cap.title, severity=cap.severity, due_on=cap.due_on, summary=cap.summary,
            verification_plan=cap.verification_plan, remedy_description=description,
            remedy_amount=amount, remedy_currency=currency, remedy_workers=workers))  # fmt: skip
    services.write_root_cause(cap, owner, plan.root_cause)
    steps = [actions.add_action(cap, owner, actions.ActionData(
        kind, text, day + timedelta(days=30 + 15 * index),
        owner_name="Ethical Trading Partners" if kind == "partner" else None))
        for index, (kind, text) in enumerate(plan.actions)]  # fmt: skip
    if monitor is not None and site.id in {s.id for s in monitor.sites}:
        services.set_verifiers(cap, lead, [monitor])
    if plan.status == "draft":
        actions.add_note(cap, owner, "We can start as soon as the plan is agreed.", shared=True)
        return
    if cap.root_cause_state == "proposed":
        services.review_root_cause(cap, lead, True, None)
    for step in steps:
        if step.state == "proposed":  # compliance's own actions are accepted as written
            actions.review_action(step, lead, True, None)
    services.change_status(cap, lead, "agreed")
    if plan.status == "agreed":
        return
    done = steps if plan.status != "in_progress" else steps[:1]
    for step in done:
        actions.update_progress(step, owner, "done", "Done; see the evidence attached.")
        actions.attach_evidence(cap, owner, f"action-{step.id}.pdf", EVIDENCE_PDF,
                                kind="action", action_id=step.id)  # fmt: skip
    if plan.remedy:
        actions.attach_evidence(cap, owner, "remedy-receipts.pdf", EVIDENCE_PDF, kind="remedy")
    if plan.late:
        step = steps[-1]
        actions.update_progress(step, owner, "in_progress", "Waiting for the lockers.")
        step.due_on = day - timedelta(days=12)  # past due: the register and digest flag it
        actions.request_extension(cap, owner, day + timedelta(days=20),
                                  "The lockers are delivered late.", step)  # fmt: skip
        db.session.commit()
    if plan.status == "in_progress":
        return
    if plan.status == "closed_unverified":
        services.change_status(cap, lead, "closed_unverified", plan.closing_note)
        return
    services.change_status(cap, owner, "awaiting_verification")
    if plan.pulse_profile is not None:
        _pulse(cap, lead, site, plan.pulse_profile, rng)
    if plan.status == "verified":
        services.change_status(cap, lead, "verified", plan.closing_note)


def _pulse(cap, lead, site, profile: dict[str, float], rng) -> None:
    """The pulse survey, answered by simulated workers through the normal submission path."""
    from portal.surveys.simulate import Profile, simulate

    campaign = pulse.start_pulse(cap, lead)
    count = max(12, site.headcount // 25)
    simulate(campaign, site, count, Profile(indicators=profile), rng, services.today())
    db.session.commit()
