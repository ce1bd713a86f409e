"""The engagement matrix (stakeholder group × engagement area, seed 000) and the progress of
the yearly plan, both from one list of **events**: survey campaigns, engagement activities and
consultations, each with its groups, areas, sites and day. Grievances and responses are added
as counts. Nothing here reads answers or comment texts.

Scope: the sites the viewer may see, narrowed by the filters. An event with no site (an
investor dialogue, an industry working group) belongs to the whole programme: it counts when no
site or supplier is chosen, and under a country filter when it names that country.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from portal.engagement import queries
from portal.engagement.models import Activity, Consultation, ConsultationComment
from portal.extensions import db
from portal.risk.catalogue import ENGAGEMENT_AREAS, STAKEHOLDER_GROUPS
from portal.suppliers.models import Site
from portal.suppliers.queries import visible_sites

#: Grievances count as engagement under these areas (DESIGN §2).
GRIEVANCE_AREAS = ("monitoring", "remediation")


@dataclass(frozen=True)
class Event:
    source: str  # activity, consultation or campaign
    id: int
    kind: str  # the activity kind, "consultation" or "campaign"
    groups: tuple[str, ...]
    areas: tuple[str, ...]
    site_ids: frozenset[int]
    countries: frozenset[str]
    day: date
    #: group → people who took part (activities)
    participants: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Scope:
    """Which sites count, and whether programme-wide events (no site) count too."""

    site_ids: set[int]
    country: str = ""
    programme: bool = True

    def covers(self, event: Event) -> bool:
        if event.site_ids:
            return bool(event.site_ids & self.site_ids)
        if not self.programme:
            return False
        return not self.country or self.country in event.countries


def scope_for(user, *, country: str = "", supplier: int | None = None,
              site: int | None = None) -> Scope:  # fmt: skip
    sites = visible_sites(user)
    chosen = {
        s.id for s in sites
        if (not country or s.country == country) and (not supplier or s.supplier_id == supplier)
        and (not site or s.id == site)
    }  # fmt: skip
    return Scope(chosen, country=country, programme=not (supplier or site))


def events(user, start: date, end: date) -> list[Event]:
    """Campaigns, activities and consultations of ``[start, end]`` that ``user`` may see."""
    from portal.surveys.models import Campaign, campaign_sites

    found: list[Event] = []
    stmt = queries.visible_activities(user).where(
        Activity.held_on >= start, Activity.held_on <= end
    )
    for activity in db.session.scalars(stmt):
        found.append(Event(
            "activity", activity.id, activity.kind, tuple(activity.groups),
            tuple(activity.areas), frozenset(s.id for s in activity.sites),
            frozenset(activity.countries or []), activity.held_on,
            {p.stakeholder_group: p.total for p in activity.participants},
        ))  # fmt: skip
    consultations = (
        queries.visible_consultations(user)
        .where(Consultation.status != "draft", Consultation.opens_on <= end,
               Consultation.closes_on >= start)
    )  # fmt: skip
    for consultation in db.session.scalars(consultations):
        found.append(Event(
            "consultation", consultation.id, "consultation", tuple(consultation.groups),
            tuple(consultation.areas), frozenset(s.id for s in consultation.sites),
            frozenset(), max(consultation.opens_on, start),
        ))  # fmt: skip
    if getattr(user, "role", None) in ("compliance", "monitor"):
        visible = {s.id for s in visible_sites(user)}
        campaigns = select(Campaign).where(Campaign.opens_on <= end, Campaign.closes_on >= start)
        site_rows = select(campaign_sites.c.campaign_id, campaign_sites.c.site_id)
        links = defaultdict(set)
        for campaign_id, site_id in db.session.execute(site_rows):
            if site_id in visible:
                links[campaign_id].add(site_id)
        for campaign in db.session.scalars(campaigns):
            if not links.get(campaign.id):
                continue
            areas = (campaign.survey_version.definition or {}).get("areas") or []
            found.append(Event(
                "campaign", campaign.id, "campaign", (campaign.stakeholder_group,),
                tuple(a for a in areas if a in ENGAGEMENT_AREAS), frozenset(links[campaign.id]),
                frozenset(), max(campaign.opens_on, start),
            ))  # fmt: skip
    return found


# --- the matrix -------------------------------------------------------------------------------


@dataclass
class Cell:
    campaigns: int = 0
    responses: int = 0
    activities: int = 0
    consultations: int = 0
    comments: int = 0
    grievances: int = 0
    participants: int = 0
    last: date | None = None
    targets: list = field(default_factory=list)

    def touch(self, day: date | None) -> None:
        if day is not None and (self.last is None or day > self.last):
            self.last = day

    @property
    def empty(self) -> bool:
        return not (self.campaigns or self.activities or self.consultations or self.grievances)


@dataclass
class Matrix:
    start: date
    end: date
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, group: str, area: str) -> Cell:
        return self.cells.setdefault((group, area), Cell())

    @property
    def covered(self) -> int:
        return sum(not cell.empty for cell in self.cells.values())

    @property
    def gaps(self) -> list[tuple[str, str]]:
        return [(g, a) for g in STAKEHOLDER_GROUPS for a in ENGAGEMENT_AREAS
                if self.cell(g, a).empty]  # fmt: skip


def build(user, start: date, end: date, scope: Scope, year: int | None = None) -> Matrix:
    matrix = Matrix(start, end)
    for group in STAKEHOLDER_GROUPS:
        for area in ENGAGEMENT_AREAS:
            matrix.cell(group, area)
    picked = [event for event in events(user, start, end) if scope.covers(event)]
    campaign_ids = [e.id for e in picked if e.source == "campaign"]
    responses = _responses(campaign_ids, scope.site_ids, start, end)
    comments = _comments([e.id for e in picked if e.source == "consultation"], scope)
    for event in picked:
        for group in event.groups:
            for area in event.areas:
                if group not in STAKEHOLDER_GROUPS or area not in ENGAGEMENT_AREAS:
                    continue
                cell = matrix.cell(group, area)
                cell.touch(event.day)
                if event.source == "activity":
                    cell.activities += 1
                    cell.participants += event.participants.get(group, 0)
                elif event.source == "consultation":
                    cell.consultations += 1
                    cell.comments += comments.get((event.id, group), 0)
                else:
                    cell.campaigns += 1
                    count, last = responses.get(event.id, (0, None))
                    cell.responses += count
                    cell.touch(last)
    _add_grievances(matrix, user, scope, start, end)
    if year is not None:
        from portal.engagement.plan import progress

        for item in progress(user, year):
            matrix.cell(item.target.stakeholder_group, item.target.area).targets.append(item)
    return matrix


def _responses(campaign_ids, site_ids, start, end) -> dict[int, tuple[int, date]]:
    from portal.risk.models import ResponseCount

    if not campaign_ids or not site_ids:
        return {}
    stmt = (
        select(ResponseCount.campaign_id, func.sum(ResponseCount.count),
               func.max(ResponseCount.day))
        .where(ResponseCount.campaign_id.in_(campaign_ids), ResponseCount.site_id.in_(site_ids),
               ResponseCount.day >= start, ResponseCount.day <= end)
        .group_by(ResponseCount.campaign_id)
    )  # fmt: skip
    counts = {cid: (int(n or 0), day) for cid, n, day in db.session.execute(stmt)}
    from portal.surveys.models import Campaign, Response

    saq_ids = list(db.session.scalars(select(Campaign.id).where(
        Campaign.id.in_(campaign_ids), Campaign.stakeholder_group == "suppliers")))  # fmt: skip
    if saq_ids:
        # Supplier questionnaires are one response per site, counted once submitted.
        stmt = (
            select(Response.campaign_id, func.count(), func.max(Response.submitted_on))
            .where(Response.campaign_id.in_(saq_ids), Response.site_id.in_(site_ids),
                   Response.status.in_(("submitted", "accepted")))
            .group_by(Response.campaign_id)
        )  # fmt: skip
        counts.update({cid: (int(n), day) for cid, n, day in db.session.execute(stmt)})
    return counts


def _comments(consultation_ids, scope: Scope) -> dict[tuple[int, str], int]:
    if not consultation_ids:
        return {}
    stmt = (
        select(ConsultationComment.consultation_id, ConsultationComment.stakeholder_group,
               ConsultationComment.site_id, func.count())
        .where(ConsultationComment.consultation_id.in_(consultation_ids))
        .group_by(ConsultationComment.consultation_id, ConsultationComment.stakeholder_group,
                  ConsultationComment.site_id)
    )  # fmt: skip
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for consultation_id, group, site_id, n in db.session.execute(stmt):
        if site_id is None or site_id in scope.site_ids:
            counts[(consultation_id, group)] += int(n)
    return counts


def _add_grievances(matrix: Matrix, user, scope: Scope, start: date, end: date) -> None:
    if getattr(user, "role", None) not in ("compliance", "monitor") or not scope.site_ids:
        return
    from portal.grievances import queries as grievance_queries
    from portal.grievances.models import Grievance

    cases = (
        grievance_queries.visible(user)
        .where(Grievance.site_id.in_(scope.site_ids), Grievance.received_on >= start,
               Grievance.received_on <= end)
        .subquery()
    )  # fmt: skip
    stmt = select(cases.c.stakeholder_group, func.count(), func.max(cases.c.received_on))
    for group, count, last in db.session.execute(stmt.group_by(cases.c.stakeholder_group)):
        if group not in STAKEHOLDER_GROUPS:
            continue  # "other" reporters have no row in the matrix
        for area in GRIEVANCE_AREAS:
            cell = matrix.cell(group, area)
            cell.grievances += int(count)
            cell.touch(last)


def site_scope(site: Site) -> Scope:
    return Scope({site.id}, programme=False)
