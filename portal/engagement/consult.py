"""Consultations on draft documents: the workflow (draft → open → closed → published), the
comments (anonymous from the public site page, or signed in by suppliers and monitors), the
themes staff group them under with a response each, and what staff may read.

Reading comments (DESIGN §6, applied to words rather than numbers): an anonymous comment is
shown under its stakeholder group only when that group has at least ``STAFF_THRESHOLD``
anonymous comments; smaller groups are pooled into one section without a group, and a pool
that is still too small is held back and only counted. A comment is never shown with its site.
Signed-in comments carry their author and are always shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, select

from portal import audit
from portal.engagement.models import (
    CONSULTATION_STATUSES,
    DOCUMENT_KINDS,
    Consultation,
    ConsultationComment,
    ConsultationTheme,
    consultation_sites,
)
from portal.engagement.services import (
    MAX_TEXT,
    EngagementError,
    _known,
    _sites,
    _text,
    today,
)
from portal.extensions import db
from portal.grievances.services import clean_text, meaningful_characters
from portal.i18n import LANGUAGES
from portal.risk.catalogue import ANONYMOUS_GROUPS, ENGAGEMENT_AREAS, STAKEHOLDER_GROUPS
from portal.risk.suppression import STAFF_THRESHOLD

MAX_COMMENT = 4000
#: Groups that may comment at all (employees and investors are consulted in meetings).
COMMENTING_GROUPS = ("workers", "suppliers", "communities", "ngos")
#: The moves staff may make, and the audit action of each.
TRANSITIONS = {
    ("draft", "open"),
    ("open", "closed"),
    ("closed", "open"),
    ("closed", "published"),
}
#: Engagement areas a new consultation is filed under by default, per kind of document.
DEFAULT_AREAS = {
    "code_of_conduct": ["code_of_conduct"],
    "grievance_procedure": ["communication", "monitoring"],
    "policy": ["code_of_conduct"],
    "remediation_plan": ["remediation"],
    "other": ["communication"],
}


@dataclass
class ConsultationData:
    document_kind: str
    groups: list[str]
    site_ids: list[int]
    languages: list[str]
    opens_on: date
    closes_on: date
    areas: list[str] = field(default_factory=list)
    #: language → {"title", "body", "question"}
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


def _texts(texts: dict, keys: tuple[str, ...], languages: list[str]) -> dict:
    limits = {"title": 200, "question": 300}
    cleaned = {}
    for code in languages:
        entry = {key: clean_text((texts.get(code) or {}).get(key), limits.get(key, 50_000))
                 for key in keys}  # fmt: skip
        if any(entry.values()):
            cleaned[code] = entry
    return cleaned


def save_consultation(data: ConsultationData, user, consultation: Consultation | None = None):
    if data.document_kind not in DOCUMENT_KINDS:
        raise EngagementError("unknown_choice")
    groups = _known(data.groups, COMMENTING_GROUPS)
    languages = _known(data.languages, LANGUAGES)
    if not groups:
        raise EngagementError("groups")
    if not languages:
        raise EngagementError("languages")
    if data.closes_on < data.opens_on:
        raise EngagementError("window_order")
    sites = _sites(data.site_ids)
    if not sites and any(group in ANONYMOUS_GROUPS for group in groups):
        raise EngagementError("consultation_sites")
    texts = _texts(data.texts, ("title", "body", "question"), languages)
    first = texts.get(languages[0]) or {}
    if not first.get("title") or not first.get("body"):
        raise EngagementError("draft_text")
    if consultation is not None and consultation.status == "published":
        raise EngagementError("published")
    new = consultation is None
    consultation = consultation or Consultation(created_by_id=user.id, status="draft")
    consultation.document_kind = data.document_kind
    consultation.groups, consultation.languages, consultation.sites = groups, languages, sites
    consultation.areas = _known(data.areas, ENGAGEMENT_AREAS) or DEFAULT_AREAS[data.document_kind]
    consultation.opens_on, consultation.closes_on = data.opens_on, data.closes_on
    consultation.draft = texts
    db.session.add(consultation)
    db.session.flush()
    audit.record("consultation", consultation.id, user, "created" if new else "edited",
                 title=first["title"])  # fmt: skip
    db.session.commit()
    return consultation


def change_status(consultation: Consultation, user, status: str) -> None:
    if status not in CONSULTATION_STATUSES or (consultation.status, status) not in TRANSITIONS:
        raise EngagementError("transition")
    if status == "published":
        raise EngagementError("transition")  # only through ``publish``, with the revision
    audit.record("consultation", consultation.id, user, "status", **{"from": consultation.status,
                 "to": status})  # fmt: skip
    consultation.status = status
    db.session.commit()


def publish(consultation: Consultation, user, revision: dict[str, dict[str, str]]) -> None:
    """Freeze the revised document and the "what we changed" summary; the outcome page at
    ``/consultations/<id>`` shows them from then on, with the themes and their responses."""
    if consultation.status != "closed":
        raise EngagementError("publish_closed")
    texts = _texts(revision, ("body", "changes"), consultation.languages)
    first = texts.get(consultation.languages[0]) or {}
    if not first.get("body") or not first.get("changes"):
        raise EngagementError("revision_text")
    if any(theme.response is None for theme in consultation.themes):
        raise EngagementError("themes_unanswered")
    consultation.revision = texts
    consultation.published_on = today()
    audit.record("consultation", consultation.id, user, "status",
                 **{"from": consultation.status, "to": "published"})  # fmt: skip
    consultation.status = "published"
    db.session.commit()


# --- comments ---------------------------------------------------------------------------------


def signed_in_group(user) -> str | None:
    """The group a signed-in comment speaks for: suppliers, or a monitor's partner's group."""
    role = getattr(user, "role", None)
    if role == "supplier":
        return "suppliers"
    if role == "monitor":
        partner = user.partner
        group = partner.stakeholder_group if partner is not None else "ngos"
        return group if group in COMMENTING_GROUPS else "ngos"
    return None


def add_comment(consultation: Consultation, *, group: str, body: str, language: str,
                site=None, user=None) -> ConsultationComment:  # fmt: skip
    """Raises EngagementError: ``closed`` (not accepting comments), ``group``, ``comment``."""
    if not consultation.accepts_comments(today()):
        raise EngagementError("closed")
    if group not in consultation.groups or group not in COMMENTING_GROUPS:
        raise EngagementError("group")
    if user is None and group not in ANONYMOUS_GROUPS:
        raise EngagementError("group")
    if site is not None and site not in consultation.sites:
        raise EngagementError("site")
    text = clean_text(body, MAX_COMMENT)
    if meaningful_characters(text) < 3:
        raise EngagementError("comment")
    comment = ConsultationComment(
        consultation_id=consultation.id, stakeholder_group=group,
        site_id=site.id if site is not None else None,
        language=language if language in LANGUAGES else consultation.languages[0],
        body=text, submitted_on=today(), user_id=user.id if user is not None else None,
    )  # fmt: skip
    db.session.add(comment)
    db.session.commit()
    return comment


@dataclass
class CommentSection:
    """Comments shown together: one group's, or the pooled small groups' (group None)."""

    group: str | None
    comments: list[ConsultationComment]
    signed: bool = False


@dataclass
class CommentReading:
    sections: list[CommentSection]
    #: group → number of comments (every comment, shown or not)
    counts: dict[str, int]
    held_back: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def comments_for(consultation: Consultation, threshold: int = STAFF_THRESHOLD) -> CommentReading:
    stmt = (
        select(ConsultationComment)
        .where(ConsultationComment.consultation_id == consultation.id)
        .order_by(ConsultationComment.id)
    )
    comments = list(db.session.scalars(stmt))
    counts: dict[str, int] = {}
    anonymous: dict[str, list[ConsultationComment]] = {}
    signed: dict[str, list[ConsultationComment]] = {}
    for comment in comments:
        counts[comment.stakeholder_group] = counts.get(comment.stakeholder_group, 0) + 1
        bucket = anonymous if comment.user_id is None else signed
        bucket.setdefault(comment.stakeholder_group, []).append(comment)
    sections, pooled = [], []
    for group in STAKEHOLDER_GROUPS:
        items = anonymous.get(group, [])
        if len(items) >= threshold:
            sections.append(CommentSection(group, items))
        else:
            pooled += items
    held_back = 0
    if len(pooled) >= threshold:
        # Shuffled into the order they were written, so no group can be told from its place.
        sections.append(CommentSection(None, sorted(pooled, key=lambda c: c.id)))
    else:
        held_back = len(pooled)
    for group in STAKEHOLDER_GROUPS:
        if signed.get(group):
            sections.append(CommentSection(group, signed[group], signed=True))
    return CommentReading(sections, counts, held_back)


def add_theme(consultation: Consultation, user, title: str) -> ConsultationTheme:
    title = clean_text(title, 200)
    if not title:
        raise EngagementError("title")
    if consultation.status == "published":
        raise EngagementError("published")
    theme = ConsultationTheme(consultation_id=consultation.id, title=title)
    db.session.add(theme)
    db.session.flush()
    audit.record("consultation", consultation.id, user, "theme", title=title)
    db.session.commit()
    return theme


def file_comment(comment: ConsultationComment, theme: ConsultationTheme | None, user) -> None:
    if theme is not None and theme.consultation_id != comment.consultation_id:
        raise EngagementError("unknown_choice")
    comment.theme_id = theme.id if theme is not None else None
    db.session.commit()


def respond(theme: ConsultationTheme, user, response: str, changed: bool) -> None:
    if theme.consultation.status == "published":
        raise EngagementError("published")
    text = _text(response, MAX_TEXT)
    if not text:
        raise EngagementError("response")
    theme.response, theme.changed = text, changed
    audit.record("consultation", theme.consultation_id, user, "response", title=theme.title)
    db.session.commit()


@cache
def _open_at_site():
    """Built once with bound parameters (building it cost more than running it)."""
    return (
        select(Consultation)
        .join(consultation_sites, consultation_sites.c.consultation_id == Consultation.id)
        .where(Consultation.status == "open", Consultation.opens_on <= bindparam("day"),
               Consultation.closes_on >= bindparam("day"),
               consultation_sites.c.site_id == bindparam("site_id"))
        .order_by(Consultation.closes_on)
    )  # fmt: skip


def open_for(site, group: str | None = None, day: date | None = None) -> list[Consultation]:
    """Consultations taking comments at ``site`` (from ``group`` when given)."""
    params = {"day": day or today(), "site_id": site.id}
    found = list(db.session.scalars(_open_at_site(), params))
    wanted = (group,) if group else ANONYMOUS_GROUPS
    return [c for c in found if any(g in c.groups for g in wanted)]
