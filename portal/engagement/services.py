"""Writes of the engagement log: partners, activities (participants, files, training
feedback) and the yearly plan. Consultations are in ``consult``. Every staff change is in the
audit log; every rule a view relies on raises ``EngagementError`` with a key of
``labels.ERRORS``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from portal import audit, uploads
from portal.db import utcnow
from portal.engagement.models import (
    ACTIVITY_KINDS,
    PARTNER_KINDS,
    TARGET_KINDS,
    Activity,
    ActivityFile,
    EngagementTarget,
    Participation,
    Partner,
)
from portal.extensions import db
from portal.grievances.services import clean_text
from portal.risk.catalogue import ANONYMOUS_GROUPS, ENGAGEMENT_AREAS, STAKEHOLDER_GROUPS
from portal.suppliers.models import Site

MAX_TEXT = 5000


class EngagementError(ValueError):
    """A change the rules refuse; ``code`` is a key of ``labels.ERRORS``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def today() -> date:
    return utcnow().date()


def _text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    return clean_text(value, limit) or None


def _known(values, allowed) -> list[str]:
    chosen = [value for value in dict.fromkeys(values or []) if value]
    if any(value not in allowed for value in chosen):
        raise EngagementError("unknown_choice")
    return chosen


def _countries(values) -> list[str]:
    codes = [str(value).strip().upper() for value in values or [] if str(value).strip()]
    if any(len(code) != 2 or not code.isalpha() or not code.isascii() for code in codes):
        raise EngagementError("country")
    return list(dict.fromkeys(codes))


def _sites(site_ids) -> list[Site]:
    ids = list(dict.fromkeys(site_ids or []))
    sites = list(db.session.scalars(select(Site).where(Site.id.in_(ids)))) if ids else []
    if len(sites) != len(ids):
        raise EngagementError("site")
    return sites


# --- partners ---------------------------------------------------------------------------------


@dataclass
class PartnerData:
    name: str
    kind: str
    stakeholder_group: str
    countries: list[str] = field(default_factory=list)
    site_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    website: str | None = None
    description: str | None = None
    active: bool = True


def save_partner(data: PartnerData, user, partner: Partner | None = None) -> Partner:
    from portal.accounts.models import User

    name = clean_text(data.name, 200)
    if not name:
        raise EngagementError("name")
    if data.kind not in PARTNER_KINDS or data.stakeholder_group not in STAKEHOLDER_GROUPS:
        raise EngagementError("unknown_choice")
    same = db.session.scalar(select(Partner).where(Partner.name == name))
    if same is not None and same is not partner:
        raise EngagementError("partner_exists")
    members = list(db.session.scalars(select(User).where(User.id.in_(data.member_ids or []))))
    if len(members) != len(set(data.member_ids or [])) or any(
        member.role != "monitor" for member in members
    ):
        raise EngagementError("members")
    new = partner is None
    partner = partner or Partner()
    partner.name, partner.kind, partner.stakeholder_group = name, data.kind, data.stakeholder_group
    partner.countries = _countries(data.countries)
    partner.sites = _sites(data.site_ids)
    partner.contact_name = _text(data.contact_name, 200)
    partner.contact_email = _text(data.contact_email, 254)
    partner.contact_phone = _text(data.contact_phone, 40)
    partner.website = _text(data.website, 300)
    partner.description = _text(data.description)
    partner.active = data.active
    if not new:
        for member in partner.members:
            if member not in members:
                member.partner = None
    partner.members = members
    db.session.add(partner)
    db.session.flush()
    audit.record("partner", partner.id, user, "created" if new else "edited", title=name)
    db.session.commit()
    return partner


# --- activities -------------------------------------------------------------------------------


@dataclass
class Headcount:
    total: int
    women: int | None = None
    men: int | None = None


@dataclass
class ActivityData:
    kind: str
    title: str
    held_on: date
    groups: list[str]
    areas: list[str]
    site_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    #: stakeholder group → headcount; groups with no one are left out.
    participants: dict[str, Headcount] = field(default_factory=dict)
    summary: str | None = None
    outcomes: str | None = None
    follow_up: str | None = None


def may_edit(activity: Activity, user) -> bool:
    """Compliance edits every activity; a monitor the ones it recorded at its own sites."""
    role = getattr(user, "role", None)
    if role == "compliance":
        return True
    return role == "monitor" and activity.created_by_id == user.id


def save_activity(data: ActivityData, user, activity: Activity | None = None) -> Activity:
    title = clean_text(data.title, 200)
    if not title:
        raise EngagementError("title")
    if data.kind not in ACTIVITY_KINDS:
        raise EngagementError("unknown_choice")
    groups = _known(data.groups, STAKEHOLDER_GROUPS)
    areas = _known(data.areas, ENGAGEMENT_AREAS)
    if not groups:
        raise EngagementError("groups")
    if not areas:
        raise EngagementError("areas")
    if data.held_on > today() + timedelta(days=366):
        raise EngagementError("date")
    sites = _sites(data.site_ids)
    if user.role == "monitor":
        # A monitor records what happened at the sites it is assigned to.
        allowed = {site.id for site in user.sites}
        if not sites or any(site.id not in allowed for site in sites):
            raise EngagementError("site")
    partners = list(db.session.scalars(select(Partner).where(Partner.id.in_(data.partner_ids))))
    if len(partners) != len(set(data.partner_ids)):
        raise EngagementError("unknown_choice")
    for group, count in data.participants.items():
        if group not in STAKEHOLDER_GROUPS:
            raise EngagementError("unknown_choice")
        if count.total < 0 or (count.women or 0) < 0 or (count.men or 0) < 0:
            raise EngagementError("participants")
        if (count.women or 0) + (count.men or 0) > count.total:
            raise EngagementError("participants_sex")
    new = activity is None
    activity = activity or Activity(created_by_id=user.id)
    before = None if new else (activity.kind, activity.held_on)
    activity.kind, activity.title, activity.held_on = data.kind, title, data.held_on
    activity.groups, activity.areas = groups, areas
    activity.countries = _countries(data.countries)
    activity.sites, activity.partners = sites, partners
    activity.summary, activity.outcomes = _text(data.summary), _text(data.outcomes)
    activity.follow_up = _text(data.follow_up)
    activity.participants = [
        Participation(stakeholder_group=group, total=count.total, women=count.women,
                      men=count.men)
        for group, count in data.participants.items() if count.total
    ]  # fmt: skip
    db.session.add(activity)
    db.session.flush()
    if new:
        audit.record("activity", activity.id, user, "created", title=title)
    else:
        audit.record("activity", activity.id, user, "edited", title=title,
                     **({"from": str(before[1]), "to": str(data.held_on)}
                        if before[1] != data.held_on else {}))  # fmt: skip
    db.session.commit()
    return activity


def delete_activity(activity: Activity, user) -> None:
    for stored in activity.files:
        uploads.remove(stored.stored_name)
    audit.record("activity", activity.id, user, "deleted", title=activity.title)
    db.session.delete(activity)
    db.session.commit()


def attach_file(activity: Activity, user, filename: str, data: bytes) -> ActivityFile:
    """Raises ``uploads.UploadRejected`` for a file the shared rules refuse."""
    stored = uploads.store(filename, data)
    row = ActivityFile(activity_id=activity.id, uploaded_by_id=user.id, **stored.columns())
    db.session.add(row)
    audit.record("activity", activity.id, user, "file", file=stored.filename)
    db.session.commit()
    return row


def training_survey_version():
    """The newest version of the shipped training-feedback survey, or None."""
    from portal.surveys.models import Survey, SurveyVersion

    form_id = current_app.config["ENGAGEMENT_TRAINING_SURVEY"]
    stmt = (
        select(SurveyVersion).join(Survey).where(Survey.form_id == form_id)
        .order_by(SurveyVersion.id.desc()).limit(1)
    )  # fmt: skip
    return db.session.scalar(stmt)


def start_training_feedback(activity: Activity, user, *, days: int | None = None):
    """A short anonymous campaign of the training-feedback survey at the training's sites,
    in the languages their workers speak; its answers show on the activity's page."""
    from portal.surveys import services as survey_services

    if activity.kind != "training":
        raise EngagementError("not_training")
    if activity.feedback_campaign_id is not None:
        raise EngagementError("feedback_exists")
    if not activity.sites:
        raise EngagementError("feedback_sites")
    version = training_survey_version()
    if version is None:
        raise EngagementError("feedback_survey")
    spec = version.spec()
    group = next((g for g in activity.groups if g in ANONYMOUS_GROUPS), "workers")
    spoken = [code for site in activity.sites for code in site.languages]
    languages = [code for code in dict.fromkeys(spoken) if code in spec.languages]
    if spec.default_language not in languages:
        languages.append(spec.default_language)
    start = today()
    length = days or int(current_app.config["ENGAGEMENT_FEEDBACK_DAYS"])
    campaign = survey_services.create_campaign(
        survey_services.CampaignData(
            name=clean_text(f"{activity.title} · {activity.held_on.isoformat()}", 200),
            survey_version_id=version.id, stakeholder_group=group,
            site_ids=[site.id for site in activity.sites], opens_on=start,
            closes_on=start + timedelta(days=length - 1), languages=languages,
        ),
        created_by_id=user.id,
    )  # fmt: skip
    activity.feedback_campaign_id = campaign.id
    audit.record("activity", activity.id, user, "feedback", to=campaign.id)
    db.session.commit()
    return campaign


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class TargetData:
    year: int
    stakeholder_group: str
    area: str
    kind: str
    count: int
    per_site: bool = False
    supplier_id: int | None = None
    due_on: date | None = None
    note: str | None = None


def add_target(data: TargetData, user) -> EngagementTarget:
    if data.stakeholder_group not in STAKEHOLDER_GROUPS or data.area not in ENGAGEMENT_AREAS:
        raise EngagementError("unknown_choice")
    if data.kind not in TARGET_KINDS:
        raise EngagementError("unknown_choice")
    if not 2000 <= data.year <= 2100 or not 1 <= data.count <= 1000:
        raise EngagementError("target_numbers")
    due = data.due_on or date(data.year, 12, 31)
    if due.year != data.year:
        raise EngagementError("target_due")
    target = EngagementTarget(
        year=data.year, stakeholder_group=data.stakeholder_group, area=data.area,
        kind=data.kind, count=data.count, per_site=data.per_site, supplier_id=data.supplier_id,
        due_on=due, note=_text(data.note, 300), created_by_id=user.id,
    )  # fmt: skip
    db.session.add(target)
    db.session.flush()
    audit.record("target", target.id, user, "created", title=f"{data.stakeholder_group} "
                 f"{data.area} {data.kind} × {data.count}")  # fmt: skip
    db.session.commit()
    return target


def delete_target(target: EngagementTarget, user) -> None:
    audit.record("target", target.id, user, "deleted")
    db.session.delete(target)
    db.session.commit()
