"""Reads for surveys and campaigns."""

from __future__ import annotations

import time
from datetime import date
from functools import cache

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, event, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from portal.extensions import db
from portal.listing import Sort, contains, ranked
from portal.risk.catalogue import ANONYMOUS_GROUPS, STAKEHOLDER_GROUPS
from portal.security import scoped
from portal.suppliers.models import Site
from portal.surveys.models import Campaign, Response, Survey, SurveyVersion, campaign_sites


def latest_versions() -> list[SurveyVersion]:
    """The newest version of every survey that is not archived (what a campaign may deploy)."""
    latest = select(func.max(SurveyVersion.id)).group_by(SurveyVersion.survey_id)
    stmt = (
        select(SurveyVersion)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(SurveyVersion.id.in_(latest), Survey.archived_at.is_(None))
        .order_by(SurveyVersion.id)
    )
    return list(db.session.scalars(stmt))


_RESPONSE_COUNT = (
    select(func.count(Response.id)).where(Response.campaign_id == Campaign.id).scalar_subquery()
)

#: The columns of the campaign list (its state column follows the dates).
CAMPAIGN_SORTS = {
    "name": Sort(_l("Campaign"), [Campaign.name]),
    "group": Sort(_l("Who answers"), [ranked(Campaign.stakeholder_group, STAKEHOLDER_GROUPS)]),
    "dates": Sort(_l("Dates"), [Campaign.opens_on, Campaign.closes_on], descending_first=True),
    "responses": Sort(_l("Responses"), [_RESPONSE_COUNT], descending_first=True),
}


def campaign_list(listing) -> Select:
    """(campaign, number of responses) rows, searched by name, in the listing's order."""
    stmt = select(Campaign, _RESPONSE_COUNT)
    if listing.q:
        stmt = stmt.where(contains(Campaign.name, listing.q))
    return listing.order(stmt, Campaign.id)


def campaign_or_404(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


@cache
def _site_campaign():
    from portal.suppliers.models import Site

    return (
        select(Site, Campaign)
        .join(campaign_sites, campaign_sites.c.site_id == Site.id)
        .join(Campaign, Campaign.id == campaign_sites.c.campaign_id)
        .join(SurveyVersion, SurveyVersion.id == Campaign.survey_version_id)
        .options(contains_eager(Campaign.survey_version))
        .where(Site.code == bindparam("code"), Campaign.id == bindparam("campaign_id"))
    )


def site_campaign(code: str, campaign_id: int):
    """(site, campaign) for a responding URL in one statement, or None when the site does not
    exist or is not part of the campaign. The campaign comes with its version's identity (the
    definition itself stays deferred: ``SurveyVersion.spec()`` has it parsed per process).
    The statement is built once with bound parameters: building it was 40 % of its cost."""
    params = {"code": code, "campaign_id": campaign_id}
    return db.session.execute(_site_campaign(), params).first()


#: (site code, campaign id) → (monotonic time read, site, campaign): detached copies for the
#: responding pages that only show (screens, start and thanks pages), so that answering a
#: survey reads the database only to store it. A change made in this process clears it at
#: once (``_forget_on_change``); other workers see a change within RESPONDING_TTL seconds.
#: Storing a response always reads afresh (``site_campaign``) and checks again.
_RESPONDING: dict[tuple[str, int], tuple[float, object, object]] = {}
RESPONDING_TTL = 5.0
RESPONDING_KEPT = 2048


def responding_site_campaign(code: str, campaign_id: int):
    """``site_campaign`` for a page that only shows: from this process's copy when it is at
    most RESPONDING_TTL seconds old. The copies are detached: only their columns and the
    campaign's version (parsed already) may be read, nothing lazy."""
    key = (code, campaign_id)
    now = time.monotonic()
    hit = _RESPONDING.get(key)
    if hit is not None and now - hit[0] < RESPONDING_TTL:
        return hit[1], hit[2]
    found = site_campaign(code, campaign_id)
    if found is None:
        return None
    site, campaign = found
    campaign.survey_version.spec()  # parsed while attached: the copy never loads anything
    for instance in (site, campaign, campaign.survey_version):
        db.session.expunge(instance)
    if len(_RESPONDING) >= RESPONDING_KEPT:
        _RESPONDING.clear()
    _RESPONDING[key] = (now, site, campaign)
    return site, campaign


def forget_responding() -> None:
    _RESPONDING.clear()


@event.listens_for(Session, "after_flush")
def _forget_on_change(session, _context) -> None:
    from portal.suppliers.models import Site

    changed = (*session.new, *session.dirty, *session.deleted)
    if _RESPONDING and any(isinstance(item, (Campaign, Site)) for item in changed):
        _RESPONDING.clear()


@cache
def _open_public_campaigns():
    return (
        select(Campaign)
        .join(campaign_sites, campaign_sites.c.campaign_id == Campaign.id)
        .options(joinedload(Campaign.survey_version))  # one statement, not one per campaign
        .where(
            campaign_sites.c.site_id == bindparam("site_id"),
            Campaign.stakeholder_group.in_(ANONYMOUS_GROUPS),
            Campaign.opens_on <= bindparam("today"),
            Campaign.closes_on >= bindparam("today"),
            Campaign.closed_at.is_(None),
        )
        .order_by(Campaign.id)
    )


def open_public_campaigns(site_id: int, today: date) -> list[Campaign]:
    """Campaigns a visitor of /s/<code> may answer today (anonymous groups only)."""
    return list(db.session.scalars(_open_public_campaigns(), {"site_id": site_id, "today": today}))


def responses_by_site_and_day(campaign: Campaign):
    """(site name, day, count) rows and per-site totals, for the campaign page."""
    from portal.suppliers.models import Site

    stmt = (
        select(Site.id, Site.name, Response.submitted_on, func.count(Response.id))
        .join(Response, Response.site_id == Site.id)
        .where(Response.campaign_id == campaign.id)
        .group_by(Site.id, Site.name, Response.submitted_on)
        .order_by(Site.name, Response.submitted_on)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


SAQ_STATES = ("draft", "submitted", "returned", "accepted")

#: The columns of the questionnaire list; "not started" sorts after every state.
SAQ_SORTS = {
    "site": Sort(_l("Site"), [Site.name]),
    "campaign": Sort(_l("Campaign"), [Campaign.name]),
    "due": Sort(_l("Due"), [Campaign.closes_on], descending_first=True),
    "state": Sort(_l("State"), [ranked(Response.status, SAQ_STATES)]),
}


def saq_list(user, listing) -> Select:
    """(campaign, site, response or None) for every supplier campaign × site the user sees,
    searched by site code or part of a site or campaign name, in the listing's order."""
    stmt = (
        select(Campaign, Site, Response)
        .join(campaign_sites, campaign_sites.c.campaign_id == Campaign.id)
        .join(Site, Site.id == campaign_sites.c.site_id)
        .outerjoin(
            Response,
            (Response.campaign_id == Campaign.id)
            & (Response.site_id == Site.id)
            & (Response.stakeholder_group == "suppliers"),
        )
        .where(Campaign.stakeholder_group == "suppliers")
    )
    if listing.q:
        stmt = stmt.where(
            or_(Site.code == listing.q.upper(), contains(Site.name, listing.q),
                contains(Campaign.name, listing.q))
        )  # fmt: skip
    stmt = scoped(stmt, user, site_id=Site.id, supplier_id=Site.supplier_id)
    return listing.order(stmt, Campaign.id, Site.id)
