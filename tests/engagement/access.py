"""Who may use each engagement route (discovered by tests/test_access_matrix.py).

Compliance runs everything; monitors read the matrix and the activities of their sites and
record their own; suppliers only see and comment on consultations put to suppliers at their
sites; anyone may comment on an open consultation from a site's public page and read a
published outcome. Admins see none of it.
"""

from __future__ import annotations

from tests.engagement import helpers

EVERYONE = {"anonymous", "admin", "compliance", "supplier", "monitor"}
READERS = {"compliance", "monitor"}
SIGNED = {"compliance", "supplier", "monitor"}

EXPECTED = {
    "engagement.matrix_page": READERS,
    "engagement.activities": READERS,
    "engagement.activity_new": READERS,
    "engagement.activity": READERS,
    "engagement.activity_edit": READERS,
    "engagement.activity_delete": {"compliance"},
    "engagement.activity_upload": READERS,
    "engagement.activity_file": READERS,
    "engagement.activity_feedback": {"compliance"},
    "engagement.partners": {"compliance"},
    "engagement.partner_new": {"compliance"},
    "engagement.partner_edit": {"compliance"},
    "engagement.plan_page": {"compliance"},
    "engagement.target_delete": {"compliance"},
    "engagement.consultations": SIGNED,
    "engagement.consultation_new": {"compliance"},
    "engagement.consultation": SIGNED,
    "engagement.consultation_edit": {"compliance"},
    "engagement.consultation_status": {"compliance"},
    "engagement.consultation_theme": {"compliance"},
    "engagement.consultation_file": {"compliance"},
    "engagement.consultation_respond": {"compliance"},
    "engagement.consultation_publish": {"compliance"},
    "engagement.consultation_comment": {"supplier", "monitor"},
    "engagement.comment": EVERYONE,
    "engagement.comment_sent": EVERYONE,
    "engagement.outcome": EVERYONE,
}

#: A monitor edits only the activities it recorded: the edit and upload routes use the
#: monitor's own activity (compliance may edit it too).
ARGUMENTS = {
    "engagement.activity_edit": {"activity_id": "monitor_activity_id"},
    "engagement.activity_upload": {"activity_id": "monitor_activity_id"},
    "engagement.outcome": {"consultation_id": "published_consultation_id"},
    "engagement.activity_delete": {"activity_id": "spare_activity_id"},
    "engagement.consultation_status": {"consultation_id": "spare_consultation_id"},
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def extend_world(factory, world) -> dict:
    """An activity with a file, a monitor's own activity, a target, an open consultation at
    the matrix site with a theme and a comment, and a published one."""
    from portal.engagement import consult, services
    from portal.engagement.models import Consultation, ConsultationComment
    from portal.extensions import db

    app, users, site = factory.app, world["users"], world["site"]
    activity_id = helpers.activity(app, users["compliance"], sites=[site], title="Matrix meeting")
    monitor_activity_id = helpers.activity(app, users["monitor"], sites=[site],
                                           title="Monitor visit", kind="joint_audit",
                                           areas=("monitoring",))  # fmt: skip
    spare_activity_id = helpers.activity(app, users["compliance"], sites=[site], title="Spare")
    consultation_id = helpers.consultation(app, users["compliance"], sites=[site])
    spare_consultation_id = helpers.consultation(app, users["compliance"], sites=[site])
    published_id = helpers.consultation(app, users["compliance"], sites=[site], status="closed")
    helpers.comments(app, consultation_id, site, "workers", ["Add the dormitories."])
    with app.app_context():
        lead = db.session.merge(users["compliance"])
        stored = services.attach_file(db.session.get(services.Activity, activity_id), lead,
                                      "minutes.pdf", PDF)  # fmt: skip
        open_one = db.session.get(Consultation, consultation_id)
        theme = consult.add_theme(open_one, lead, "Dormitories")
        done = db.session.get(Consultation, published_id)
        consult.respond(consult.add_theme(done, lead, "Fees"), lead, "Banned.", True)
        consult.publish(done, lead, {"en": {"body": "Final.", "changes": "Fees banned."}})
        target = services.add_target(services.TargetData(
            year=services.today().year, stakeholder_group="workers", area="communication",
            kind="any", count=2,
        ), lead)  # fmt: skip
        comment_id = db.session.scalar(db.select(ConsultationComment.id))
        return {
            "activity_id": activity_id, "monitor_activity_id": monitor_activity_id,
            "spare_activity_id": spare_activity_id,
            "spare_consultation_id": spare_consultation_id,
            "file_id": stored.id, "consultation_id": consultation_id,
            "published_consultation_id": published_id, "theme_id": theme.id,
            "comment_id": comment_id, "target_id": target.id, "partner_id": _partner(lead),
        }  # fmt: skip


def _partner(lead) -> int:
    from portal.engagement import services

    return services.save_partner(services.PartnerData(
        name="Matrix Union", kind="union", stakeholder_group="workers"), lead).id  # fmt: skip
