"""What the engagement package gives the shared pieces: the public site page's "comment on a
draft" actions, the staff site page's engagement history, the digest's overdue targets, and
the exports of activities and consultation comments."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.engagement import queries
from portal.engagement.models import Activity, ConsultationComment
from portal.exports.dictionary import Column
from portal.exports.services import ExportInfo, Options, Prepared
from portal.extensions import db
from portal.hooks import DigestSection, SiteAction, SitePanel
from portal.risk.suppression import STAFF_THRESHOLD


def site_actions(site):
    from flask_babel import get_locale

    from portal.engagement import consult

    language = str(get_locale() or "en")
    for consultation in consult.open_for(site):
        yield SiteAction(
            url_for("engagement.comment", code=site.code, consultation_id=consultation.id),
            _("Comment on: %(title)s", title=consultation.text(language)),
            _("A draft the company wants your view on, before it is final. Anonymous."),
            order=40,
        )


def site_panel(site, user):
    if getattr(user, "role", None) not in ("compliance", "monitor", "supplier"):
        return []
    activities, consultations = queries.site_history(site, user)
    return [SitePanel("engagement/_site_panel.html",
                      {"site": site, "activities": activities, "consultations": consultations},
                      order=40)]  # fmt: skip


def digest_sections():
    from portal.engagement import plan
    from portal.engagement.labels import TARGET_KIND_LABELS
    from portal.engagement.services import today
    from portal.surveys.forms import GROUP_LABELS

    day = today()
    lines = []
    for item in plan.overdue(day.year, day):
        target = item.target
        from portal.dashboard.queries import AREA_LABELS

        lines.append(_("%(kind)s with %(group)s on %(area)s: %(done)s of %(required)s by "
                       "%(due)s", kind=TARGET_KIND_LABELS[target.kind],
                       group=GROUP_LABELS[target.stakeholder_group],
                       area=AREA_LABELS[target.area], done=item.done, required=item.required,
                       due=target.due_on.isoformat()))  # fmt: skip
    return [DigestSection(_("Engagement targets past their date"), lines)]


# --- exports ----------------------------------------------------------------------------------

ACTIVITY_COLUMNS = (
    Column("activity", _l("Number of the activity (as on its page)."), "integer"),
    Column("kind", _l("meeting, focus_group, worker_representatives, training, joint_audit, "
                      "working_group, government_review, investor_dialogue, community_meeting "
                      "or other."), "code"),
    Column("title", _l("Title of the activity."), "text"),
    Column("held_on", _l("Day the activity took place."), "date"),
    Column("groups", _l("Stakeholder groups engaged, separated by spaces."), "code"),
    Column("areas", _l("Engagement areas (seed 000), separated by spaces."), "code"),
    Column("site_codes", _l("Public codes of the sites, separated by spaces."), "code"),
    Column("countries", _l("Countries of the sites, or of an activity with no site."), "code"),
    Column("partners", _l("Partner organisations involved, separated by “; ”."), "text"),
    Column("participants", _l("People who took part, all groups together."), "integer"),
    Column("participants_workers", _l("Workers and worker representatives who took part."),
           "integer"),
    Column("women", _l("Women among the participants, where recorded."), "integer"),
    Column("men", _l("Men among the participants, where recorded."), "integer"),
    Column("feedback_survey", _l("Whether a training feedback survey followed."), "yes/no"),
    Column("summary", _l("Summary (only with free text)."), "text"),
    Column("outcomes", _l("Outcomes (only with free text)."), "text"),
    Column("follow_up", _l("Follow-up actions (only with free text)."), "text"),
)  # fmt: skip
ACTIVITY_TEXT = ("summary", "outcomes", "follow_up")


def _sum(values):
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def prepare_activities(options: Options) -> Prepared:
    columns = tuple(c for c in ACTIVITY_COLUMNS if options.free_text or c.name not in ACTIVITY_TEXT)

    def rows():
        stmt = (
            queries.visible_activities(options.user)
            .options(selectinload(Activity.sites), selectinload(Activity.partners),
                     selectinload(Activity.participants))
            .order_by(Activity.held_on, Activity.id)
            .execution_options(yield_per=options.batch_size)
        )  # fmt: skip
        for activity in db.session.scalars(stmt):
            people = activity.participants
            countries = sorted({s.country for s in activity.sites} | set(activity.countries))
            row = [
                activity.id, activity.kind, activity.title, activity.held_on,
                " ".join(activity.groups), " ".join(activity.areas),
                " ".join(s.code for s in activity.sites), " ".join(countries),
                "; ".join(p.name for p in activity.partners), activity.participant_total,
                sum(p.total for p in people if p.stakeholder_group == "workers"),
                _sum(p.women for p in people), _sum(p.men for p in people),
                activity.feedback_campaign_id is not None,
            ]  # fmt: skip
            if options.free_text:
                row += [activity.summary, activity.outcomes, activity.follow_up]
            yield row

    return Prepared("activities", columns, rows(), notes=_activity_notes)


def _activity_notes() -> list[str]:
    return [_("Activities record how many people took part, never who. The texts are left out "
              "unless asked for: focus-group notes must not name workers, but a text can still "
              "single someone out.")]  # fmt: skip


ACTIVITY_EXPORT = ExportInfo(
    "activities",
    _l("Engagement activities"),
    _l("The engagement log: meetings, focus groups, trainings, joint audits, working groups and "
       "dialogues, with their groups, areas, sites, partners and numbers of participants. "
       "Without their texts unless you ask for them."),
    prepare=prepare_activities, columns=ACTIVITY_COLUMNS, notes=_activity_notes, free_text=True,
)  # fmt: skip

COMMENT_COLUMNS = (
    Column("consultation", _l("Number of the consultation."), "integer"),
    Column("document", _l("Title of the consulted document."), "text"),
    Column("stakeholder_group", _l("The group the comment speaks for."), "code"),
    Column("language", _l("Language the comment was written in."), "code"),
    Column("submitted_on", _l("Day the comment was sent (UTC)."), "date"),
    Column("signed", _l("Whether it was sent by a signed-in supplier or monitor."), "yes/no"),
    Column("theme", _l("The theme staff filed it under."), "text"),
    Column("comment", _l("The comment (only with free text)."), "text"),
)  # fmt: skip


def prepare_comments(options: Options) -> Prepared:
    """Anonymous comments of a consultation × group with fewer than 5 are left out."""
    from portal.engagement.models import Consultation

    columns = tuple(c for c in COMMENT_COLUMNS if options.free_text or c.name != "comment")
    stats = {"left_out": 0}

    def rows():
        consultations = {
            c.id: c for c in db.session.scalars(queries.visible_consultations(options.user))
        }
        if getattr(options.user, "role", None) != "compliance":
            return
        counts: dict[tuple[int, str], int] = {}
        count_stmt = select(ConsultationComment.consultation_id,
                            ConsultationComment.stakeholder_group,
                            ConsultationComment.user_id.is_(None))  # fmt: skip
        for cid, group, anonymous in db.session.execute(count_stmt):
            if anonymous:
                counts[(cid, group)] = counts.get((cid, group), 0) + 1
        stmt = (
            select(ConsultationComment)
            .where(ConsultationComment.consultation_id.in_(list(consultations)))
            .options(selectinload(ConsultationComment.theme))
            .order_by(ConsultationComment.consultation_id, ConsultationComment.id)
            .execution_options(yield_per=options.batch_size)
        )
        for comment in db.session.scalars(stmt):
            signed = comment.user_id is not None
            key = (comment.consultation_id, comment.stakeholder_group)
            if not signed and counts.get(key, 0) < STAFF_THRESHOLD:
                stats["left_out"] += 1
                continue
            consultation: Consultation = consultations[comment.consultation_id]
            row = [consultation.id, consultation.title, comment.stakeholder_group,
                   comment.language, comment.submitted_on, signed,
                   comment.theme.title if comment.theme else None]  # fmt: skip
            if options.free_text:
                row.append(comment.body)
            yield row

    def notes():
        return [_("Anonymous comments of a consultation and group with fewer than 5 comments "
                  "are left out (%(count)s in this file), and no comment carries its site.",
                  count=stats["left_out"])]  # fmt: skip

    return Prepared("consultation-comments", columns, rows(), notes=notes, stats=stats)


def _comment_notes() -> list[str]:
    return [_("Anonymous comments of a consultation and group with fewer than 5 comments are "
              "left out, and no comment carries its site.")]  # fmt: skip


COMMENT_EXPORT = ExportInfo(
    "consultation-comments",
    _l("Consultation comments"),
    _l("Comments on consulted documents, by stakeholder group, language, day and theme, "
       "without the comments' words unless you ask for them. Groups with fewer than 5 anonymous "
       "comments are left out."),
    prepare=prepare_comments, columns=COMMENT_COLUMNS, notes=_comment_notes, free_text=True,
)  # fmt: skip
