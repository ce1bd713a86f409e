"""Translatable names for the keys stored on cases (models.py keeps only the keys)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Who the reporter says they are (first intake step).
REPORTER_LABELS = {
    "worker": _l("I work at this workplace"),
    "worker_rep": _l("I represent workers (union or worker committee)"),
    "supplier_staff": _l("I work for a supplier company"),
    "community": _l("I live nearby or belong to a community organisation"),
    "ngo": _l("I work for an NGO"),
    "other": _l("Someone else"),
}

GROUP_LABELS = {
    "workers": _l("Workers"),
    "suppliers": _l("Suppliers"),
    "communities": _l("Communities"),
    "ngos": _l("NGOs"),
    "other": _l("Other"),
}

CATEGORY_LABELS = {
    "wages": _l("Wages: not paid, paid late or less than promised"),
    "hours": _l("Working hours: too long, forced overtime, no day of rest"),
    "documents": _l("Passport or identity card kept by someone else"),
    "fees_debt": _l("Recruitment fees, or a debt to the employer or an agent"),
    "violence": _l("Violence or sexual harassment"),
    "threats": _l("Threats or intimidation"),
    "movement": _l("Not free to leave the workplace, the dormitory or the job"),
    "child_labour": _l("Children working"),
    "safety": _l("Health and safety: danger, injuries, no protective equipment"),
    "discrimination": _l("Unfair treatment because of who someone is"),
    "union": _l("Joining a union or speaking up together"),
    "housing": _l("Housing or living conditions"),
    "late_payment": _l("The buying company pays late"),
    "order_changes": _l("The buying company changes orders at the last minute"),
    "low_prices": _l("Prices so low that workers must do excessive overtime"),
    "other": _l("Something else"),
}

_WORKPLACE = (
    "wages", "hours", "documents", "fees_debt", "violence", "threats", "movement",
    "child_labour", "safety", "discrimination", "union", "housing",
)  # fmt: skip

#: The category list each reporter sees, most relevant first.
CATEGORIES_FOR = {
    "worker": (*_WORKPLACE, "other"),
    "worker_rep": (*_WORKPLACE, "other"),
    "supplier_staff": ("late_payment", "order_changes", "low_prices", *_WORKPLACE, "other"),
    "community": (
        "child_labour", "violence", "threats", "safety", "housing", "movement",
        "fees_debt", "discrimination", "wages", "hours", "union", "other",
    ),
    "ngo": (*_WORKPLACE, "other"),
    "other": (*_WORKPLACE, "other"),
}  # fmt: skip

OTHERS_AFFECTED_LABELS = {
    "only_me": _l("Only me"),
    "some": _l("A few people"),
    "many": _l("Many people"),
    "dont_know": _l("I do not know"),
}

#: Staff names of the workflow steps.
STATUS_LABELS = {
    "new": _l("New"),
    "acknowledged": _l("Acknowledged"),
    "investigating": _l("Investigating"),
    "action_planned": _l("Action planned"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "rejected": _l("Rejected"),
    "duplicate": _l("Duplicate"),
}

#: What the reporter reads about each step.
REPORTER_STATUS = {
    "new": _l("Received. It is waiting to be read."),
    "acknowledged": _l("Read by the team. They will look into it."),
    "investigating": _l("Being investigated."),
    "action_planned": _l("Action is planned to fix the problem."),
    "resolved": _l("Resolved: the team believes the problem has been fixed."),
    "closed": _l("Closed."),
    "rejected": _l("Not taken forward. A message below may explain why."),
    "duplicate": _l("Handled together with another report about the same problem."),
}

SEVERITY_LABELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical"),
}

SATISFACTION_LABELS = {
    "satisfied": _l("Yes, satisfied"),
    "partly": _l("Partly"),
    "not_satisfied": _l("No, not satisfied"),
}

INDICATOR_LABELS = {
    "FL01": _l("Deception"),
    "FL02": _l("Debt bondage or recruitment fees"),
    "FL03": _l("Retention of identity documents"),
    "FL04": _l("Withholding of wages"),
    "FL05": _l("Restriction of movement"),
    "FL06": _l("Isolation"),
    "FL07": _l("Physical and sexual violence"),
    "FL08": _l("Intimidation and threats"),
    "FL09": _l("Excessive overtime"),
    "FL10": _l("Abusive working and living conditions"),
    "FL11": _l("Abuse of vulnerability"),
    "CL01": _l("Child labour"),
    "CL02": _l("Hazardous work by under-18s"),
    "FA01": _l("Freedom of association"),
    "ND01": _l("Non-discrimination"),
    "OSH01": _l("Safe and healthy workplace"),
    "GV01": _l("Access to a trusted grievance channel"),
}

AUDIT_LABELS = {
    "status": _l("Status changed"),
    "severity": _l("Severity changed"),
    "indicators": _l("Indicators changed"),
    "site": _l("Site linked"),
    "assign": _l("Assigned"),
    "note": _l("Internal note added"),
    "reply": _l("Reply sent to the reporter"),
    "contact_viewed": _l("Call-back contact viewed"),
}


def template_context() -> dict:
    return {
        "REPORTER_LABELS": REPORTER_LABELS,
        "GROUP_LABELS": GROUP_LABELS,
        "CATEGORY_LABELS": CATEGORY_LABELS,
        "OTHERS_AFFECTED_LABELS": OTHERS_AFFECTED_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "REPORTER_STATUS": REPORTER_STATUS,
        "SEVERITY_LABELS": SEVERITY_LABELS,
        "SATISFACTION_LABELS": SATISFACTION_LABELS,
        "INDICATOR_LABELS": INDICATOR_LABELS,
        "AUDIT_LABELS": AUDIT_LABELS,
    }
