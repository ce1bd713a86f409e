"""Writes for corrective action plans. Every change is audited (``portal.audit``) and every
workflow rule is enforced here, not in the views: who may move a plan where, and what must be
true first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.grievances.services import clean_text
from portal.remediation.models import (
    OPEN_STATUSES,
    SEVERITIES,
    CapFinding,
    CorrectiveActionPlan,
)

MAX_TEXT = 5000

#: status → {next status: roles that may make the move}. "verifier" is a monitor named on the
#: plan. The preconditions of each move are in ``_check_move``.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "draft": {"agreed": frozenset({"compliance"})},
    "agreed": {"in_progress": frozenset({"compliance", "supplier"})},
    "in_progress": {"awaiting_verification": frozenset({"compliance", "supplier"})},
    "awaiting_verification": {
        "verified": frozenset({"compliance", "verifier"}),
        "in_progress": frozenset({"compliance", "verifier"}),
    },
    "verified": {},
    "closed_unverified": {"in_progress": frozenset({"compliance"})},
}
for _status in OPEN_STATUSES:
    TRANSITIONS[_status]["closed_unverified"] = frozenset({"compliance"})
NEEDS_NOTE = frozenset({"closed_unverified"})


class CapError(ValueError):
    """A change the workflow does not allow; ``code`` names the rule (views translate it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def today() -> date:
    return utcnow().date()


def _text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    return clean_text(value, limit) or None


def role_of(cap: CorrectiveActionPlan, user) -> str:
    """The user's part in this plan: compliance, supplier, verifier (a named monitor),
    monitor, or nothing."""
    role = getattr(user, "role", None)
    if role == "monitor" and any(verifier.id == user.id for verifier in cap.verifiers):
        return "verifier"
    return role or ""


# --- opening a plan ------------------------------------------------------------------------


@dataclass
class FindingData:
    source: str
    indicator: str
    stakeholder_group: str = "workers"
    period: str | None = None
    grievance_id: int | None = None
    response_id: int | None = None
    question: str | None = None
    note: str | None = None
    activity_id: int | None = None


@dataclass
class PlanData:
    site_id: int
    title: str
    severity: str
    due_on: date
    summary: str | None = None
    verification_plan: str | None = None
    findings: list[FindingData] = field(default_factory=list)


def open_plan(data: PlanData, user) -> CorrectiveActionPlan:
    """A new plan in ``draft``, with its findings and each finding's baseline snapshot."""
    from portal.remediation import pulse

    if data.severity not in SEVERITIES:
        raise CapError("severity")
    if not data.findings:
        raise CapError("no_findings")
    cap = CorrectiveActionPlan(
        site_id=data.site_id,
        title=clean_text(data.title, 200),
        severity=data.severity,
        status="draft",
        status_changed_on=today(),
        summary=_text(data.summary),
        verification_plan=_text(data.verification_plan),
        due_on=data.due_on,
        created_by_id=user.id,
    )
    for item in data.findings:
        period, k, n = pulse.baseline_for(data.site_id, item.stakeholder_group, item.indicator,
                                          item.period)  # fmt: skip
        finding = CapFinding(
            source=item.source, indicator=item.indicator, stakeholder_group=item.stakeholder_group,
            period=item.period, grievance_id=item.grievance_id, response_id=item.response_id,
            question=item.question, note=_text(item.note), baseline_period=period,
            activity_id=item.activity_id,
            baseline_k=k, baseline_n=n,
        )  # fmt: skip
        cap.findings.append(finding)
    db.session.add(cap)
    db.session.flush()
    audit.record("cap", cap.id, user, "opened", to="draft",
                 sources=sorted({item.source for item in data.findings}))  # fmt: skip
    db.session.commit()
    return cap


def add_finding(cap: CorrectiveActionPlan, user, item: FindingData) -> CapFinding:
    """One more finding for an open plan (a second case about the same problem, say)."""
    from portal.remediation import pulse

    if not cap.is_open:
        raise CapError("closed")
    period, k, n = pulse.baseline_for(cap.site_id, item.stakeholder_group, item.indicator,
                                      item.period)  # fmt: skip
    finding = CapFinding(
        source=item.source, indicator=item.indicator, stakeholder_group=item.stakeholder_group,
        period=item.period, grievance_id=item.grievance_id, response_id=item.response_id,
        question=item.question, note=_text(item.note), baseline_period=period, baseline_k=k,
        baseline_n=n,
    )  # fmt: skip
    cap.findings.append(finding)
    audit.record("cap", cap.id, user, "finding", to=item.indicator, source=item.source)
    db.session.commit()
    return finding


# --- the plan's content --------------------------------------------------------------------


@dataclass
class PlanEdit:
    title: str
    severity: str
    due_on: date
    summary: str | None = None
    verification_plan: str | None = None
    remedy_description: str | None = None
    remedy_amount: Decimal | None = None
    remedy_currency: str | None = None
    remedy_workers: int | None = None


def edit_plan(cap: CorrectiveActionPlan, user, data: PlanEdit) -> list[str]:
    """Compliance edits what the plan says; returns the fields that changed."""
    if data.severity not in SEVERITIES:
        raise CapError("severity")
    if data.remedy_currency and len(data.remedy_currency) != 3:
        raise CapError("currency")
    values = {
        "title": clean_text(data.title, 200),
        "severity": data.severity,
        "due_on": data.due_on,
        "summary": _text(data.summary),
        "verification_plan": _text(data.verification_plan),
        "remedy_description": _text(data.remedy_description),
        "remedy_amount": data.remedy_amount,
        "remedy_currency": (data.remedy_currency or "").upper() or None,
        "remedy_workers": data.remedy_workers,
    }
    changed = [name for name, value in values.items() if getattr(cap, name) != value]
    for name in changed:
        old = getattr(cap, name)
        setattr(cap, name, values[name])
        if name in ("severity", "due_on", "remedy_amount", "remedy_workers", "remedy_currency"):
            audit.record("cap", cap.id, user, name, **{"from": _plain(old),
                                                       "to": _plain(values[name])})  # fmt: skip
    if changed:
        audit.record("cap", cap.id, user, "edited", fields=changed)
    db.session.commit()
    return changed


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def write_root_cause(cap: CorrectiveActionPlan, user, text: str) -> None:
    """The supplier proposes a root cause; compliance's own text is accepted as written."""
    text = _text(text)
    if not text:
        raise CapError("empty")
    if cap.status not in ("draft", "agreed", "in_progress"):
        raise CapError("closed")
    role = role_of(cap, user)
    if role == "supplier" and cap.root_cause_state == "accepted" and cap.status != "draft":
        raise CapError("already_accepted")
    cap.root_cause = text
    cap.root_cause_state = "proposed" if role == "supplier" else "accepted"
    cap.root_cause_comment = None
    audit.record("cap", cap.id, user, "root_cause", to=cap.root_cause_state)
    db.session.commit()


def review_root_cause(cap: CorrectiveActionPlan, user, accept: bool, comment: str | None) -> None:
    if not cap.is_open:
        raise CapError("closed")
    if cap.root_cause_state != "proposed":
        raise CapError("nothing_to_review")
    comment = _text(comment, 2000)
    if not accept and not comment:
        raise CapError("comment_required")
    cap.root_cause_state = "accepted" if accept else "returned"
    cap.root_cause_comment = None if accept else comment
    audit.record("cap", cap.id, user, "root_cause_review", to=cap.root_cause_state,
                 comment=comment)  # fmt: skip
    db.session.commit()


# --- verifiers ----------------------------------------------------------------------------


def set_verifiers(cap: CorrectiveActionPlan, user, verifiers: list) -> None:
    """Name independent monitors (assigned to the plan's site) as the plan's verifiers."""
    if any(v.role != "monitor" or cap.site_id not in {s.id for s in v.sites} for v in verifiers):
        raise CapError("verifier")
    before = sorted(v.id for v in cap.verifiers)
    cap.verifiers = list(verifiers)
    after = sorted(v.id for v in verifiers)
    if before != after:
        audit.record("cap", cap.id, user, "verifiers", **{"from": before, "to": after})
    db.session.commit()


# --- the workflow --------------------------------------------------------------------------


def allowed_moves(cap: CorrectiveActionPlan, user) -> list[str]:
    role = role_of(cap, user)
    return [status for status, roles in TRANSITIONS[cap.status].items() if role in roles]


def change_status(cap: CorrectiveActionPlan, user, status: str, note: str | None = None) -> None:
    if status not in TRANSITIONS.get(cap.status, {}):
        raise CapError("transition")
    if role_of(cap, user) not in TRANSITIONS[cap.status][status]:
        raise CapError("not_yours")
    note = _text(note, 2000)
    if status in NEEDS_NOTE and not note:
        raise CapError("reason_required")
    _check_move(cap, status)
    if status in ("verified", "closed_unverified"):
        from portal.remediation import pulse

        pulse.freeze_checks(cap)
        cap.closing_note = note
        if status == "verified":
            cap.contradiction = any(
                check.after_score is not None and check.after_score >= 50 for check in cap.checks
            )
    _set_status(cap, user, status, note=note)
    db.session.commit()


def _check_move(cap: CorrectiveActionPlan, status: str) -> None:
    if status == "agreed":
        if not cap.root_cause or cap.root_cause_state != "accepted":
            raise CapError("root_cause_missing")
        if not cap.actions or any(action.state != "accepted" for action in cap.actions):
            raise CapError("actions_not_agreed")
    if status == "awaiting_verification" and any(
        action.status != "done" for action in cap.actions if action.state == "accepted"
    ):
        raise CapError("actions_not_done")
    if status == "verified":
        from portal.remediation import pulse

        if not cap.evidence:
            raise CapError("evidence_missing")
        if pulse.needs_pulse(cap) and not pulse.pulse_heard(cap):
            raise CapError("pulse_missing")


def _set_status(cap: CorrectiveActionPlan, user, status: str, note: str | None = None) -> None:
    previous = cap.status
    cap.status = status
    cap.status_changed_on = today()
    if status == "agreed":
        cap.agreed_on = today()
    if status == "verified":
        cap.verified_on = today()
    if status in ("verified", "closed_unverified"):
        cap.closed_on = today()
    elif status in OPEN_STATUSES:
        cap.closed_on = None
        if previous == "closed_unverified":
            cap.closing_note = None
    audit.record("cap", cap.id, user, "status", reason=note, **{"from": previous, "to": status})


def caps_for_case(grievance_id: int) -> list[CorrectiveActionPlan]:
    stmt = (
        select(CorrectiveActionPlan)
        .join(CapFinding, CapFinding.cap_id == CorrectiveActionPlan.id)
        .where(CapFinding.grievance_id == grievance_id)
        .order_by(CorrectiveActionPlan.id)
    )
    return list(db.session.scalars(stmt).unique())
