"""Where a new plan comes from: a risk signal (site × group × indicator × quarter), a
grievance case, a supplier's questionnaire answer, or a finding entered by hand. Each is read
from the address of "Open a plan" links and checked against what the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _

from portal.extensions import db
from portal.remediation.services import FindingData
from portal.risk.catalogue import INDICATORS, STAKEHOLDER_GROUPS
from portal.risk.classify import FLX
from portal.suppliers.queries import site_for

PERIOD = re.compile(r"^\d{4}-Q[1-4]$")
#: The signal's band (after case overrides) → the plan's default severity.
BAND_SEVERITY = {"critical": "critical", "high": "major"}
CASE_SEVERITY = {"critical": "critical", "high": "major"}


def known_indicators() -> list[str]:
    return [*INDICATORS, FLX]


class SourceError(ValueError):
    """The named source cannot open a plan; ``code`` is a key of ``MESSAGES``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def messages() -> dict[str, str]:
    return {
        "case_site": _("Link the case to a site before opening a plan for it."),
        "case_indicators": _("Choose the case's indicators before opening a plan for it."),
        "saq_question": _("This answer does not feed a risk indicator."),
        "signal": _("This signal is not known."),
        "activity": _("Choose one of the activity's sites and the indicator the plan answers."),
    }


@dataclass
class Source:
    kind: str
    site: object
    findings: list[FindingData]
    title: str = ""
    severity: str = "minor"
    #: The hidden fields that carry the source through the form.
    fields: dict | None = None


def from_values(values, user) -> Source | None:
    """The source named by ``values`` (query string or form), None for a plan by hand.
    Anything outside the user's scope is a 404, as everywhere."""
    if values.get("activity"):
        return _from_activity(values, user)
    if values.get("case"):
        return _from_case(_int(values.get("case")), user)
    if values.get("response"):
        return _from_answer(_int(values.get("response")), values.get("question", ""), user)
    if values.get("site") and values.get("indicator"):
        return _from_signal(values, user)
    return None


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        abort(404)
    if not 1 <= number <= 2**31 - 1:
        abort(404)
    return number


def _from_signal(values, user) -> Source:
    from portal.risk import signals

    site = site_for(user, _int(values.get("site")))
    group, indicator = values.get("group") or "workers", values.get("indicator", "")
    period = values.get("period") or signals.current_period()
    if group not in STAKEHOLDER_GROUPS or indicator not in known_indicators():
        raise SourceError("signal")
    if not PERIOD.match(period):
        raise SourceError("signal")
    (summary,) = signals.site_signals([site], period, group=group, user=user)
    signal = summary.signals.get(indicator)
    band = signal.effective_band if signal is not None and not signal.hidden else None
    from portal.dashboard.queries import indicator_name

    return Source(
        "signal", site,
        [FindingData("signal", indicator, stakeholder_group=group, period=period)],
        title=f"{indicator} {indicator_name(indicator)}: {site.name}",
        severity=BAND_SEVERITY.get(band or "", "minor"),
        fields={"site": site.id, "group": group, "indicator": indicator, "period": period},
    )  # fmt: skip


def _from_case(case_id: int, user) -> Source:
    from portal.grievances import queries as case_queries
    from portal.grievances.labels import CATEGORY_LABELS

    grievance = case_queries.case_for(user, case_id)
    if grievance.site_id is None:
        raise SourceError("case_site")
    if not grievance.indicators:
        raise SourceError("case_indicators")
    group = grievance.stakeholder_group if grievance.stakeholder_group in STAKEHOLDER_GROUPS \
        else "workers"  # fmt: skip
    findings = [
        FindingData("grievance", indicator, stakeholder_group=group, grievance_id=grievance.id)
        for indicator in grievance.indicators
    ]
    return Source(
        "grievance", grievance.site, findings,
        title=_("Case #%(id)s: %(category)s", id=grievance.id,
                category=CATEGORY_LABELS[grievance.category]),
        severity=CASE_SEVERITY.get(grievance.severity or "", "minor"),
        fields={"case": grievance.id},
    )  # fmt: skip


def _from_answer(response_id: int, question: str, user) -> Source:
    from portal.surveys.models import Response

    response = db.session.get(Response, response_id)
    if response is None or response.stakeholder_group != "suppliers":
        abort(404)
    site = site_for(user, response.site_id)
    if response.status not in ("submitted", "accepted", "returned"):
        abort(404)
    spec = response.campaign_version_spec()
    asked = next((q for q in spec.questions if q.name == question), None)
    if asked is None or not asked.risk or not asked.risk.indicator:
        raise SourceError("saq_question")
    indicator = asked.risk.indicator
    from portal.dashboard.queries import indicator_name

    return Source(
        "saq", site,
        [FindingData("saq", indicator, stakeholder_group="suppliers", response_id=response.id,
                     question=question)],
        title=f"{indicator} {indicator_name(indicator)}: {site.name}",
        severity="major",
        fields={"response": response.id, "question": question},
    )  # fmt: skip


def _from_activity(values, user) -> Source:
    """A finding that came up in an engagement activity (a focus group, a joint audit...) at
    one of its sites, for the indicator chosen on the activity's page."""
    from portal.dashboard.queries import indicator_name
    from portal.engagement.queries import activity_for

    activity = activity_for(user, _int(values.get("activity")))
    site_id, indicator = values.get("site", ""), values.get("indicator", "")
    site = next((s for s in activity.sites if str(s.id) == site_id), None)
    if site is None or indicator not in known_indicators():
        raise SourceError("activity")
    site_for(user, site.id)
    group = next((g for g in activity.groups if g in STAKEHOLDER_GROUPS and g != "suppliers"),
                 "workers")  # fmt: skip
    return Source(
        "activity", site,
        [FindingData("activity", indicator, stakeholder_group=group, activity_id=activity.id)],
        title=f"{indicator} {indicator_name(indicator)}: {site.name}",
        severity="major",
        fields={"activity": activity.id, "site": site.id, "indicator": indicator},
    )  # fmt: skip
