"""The engagement log through its pages: recording, editing, files, scope, partners, and plans
opened from an activity."""

from __future__ import annotations

import io

from sqlalchemy import select

from portal.audit import trail
from portal.engagement.models import Activity, Partner
from portal.extensions import db
from tests.engagement import helpers
from tests.factories import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(site_ids=(), **extra):
    data = {
        "kind": "focus_group", "title": "Focus group on overtime", "held_on": "2026-03-04",
        "groups": ["workers"], "areas": ["risk_assessment", "communication"],
        "sites": [str(i) for i in site_ids], "countries": "",
        "people_workers_total": "12", "people_workers_women": "7", "people_workers_men": "5",
        "summary": "Overtime is announced the same day.", "outcomes": "", "follow_up": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_compliance_records_an_activity_with_participants_by_sex(app, client, factory):
    site = factory.site(name="Gazipur")
    lead = factory.user("compliance")
    login(client, lead)
    page = client.get("/engagement/activities/new")
    assert page.status_code == 200
    assert "never who" in page.get_data(as_text=True)  # the form warns against naming workers
    response = client.post("/engagement/activities/new", data=_form([site.id]))
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.kind == "focus_group" and activity.areas == ["risk_assessment",
                                                                     "communication"]  # fmt: skip
        assert [(p.stakeholder_group, p.total, p.women, p.men) for p in activity.participants] == [
            ("workers", 12, 7, 5)
        ]
        assert [s.name for s in activity.sites] == ["Gazipur"]
        assert [e.action for e in trail("activity", activity.id)] == ["created"]
        activity_id = activity.id
    html = client.get(f"/engagement/activities/{activity_id}").get_data(as_text=True)
    assert "Focus group on overtime" in html and "Overtime is announced" in html
    assert client.get("/engagement?group=workers&area=communication").get_data(as_text=True) \
        .count(f"/engagement/activities/{activity_id}") == 1  # fmt: skip
    assert f"/engagement/activities/{activity_id}\"" not in client.get(
        "/engagement?area=training").get_data(as_text=True)  # fmt: skip


def test_bad_input_is_refused_with_a_message_and_nothing_stored(app, client, factory):
    site = factory.site()
    login(client, factory.user("compliance"))
    cases = [
        (_form([site.id], groups=[]), "Choose at least one stakeholder group."),
        (_form([site.id], areas=[]), "Choose at least one engagement area."),
        (_form([site.id], people_workers_women="9", people_workers_men="9"),
         "Women and men together cannot be more than the total."),
        (_form([site.id], countries="Bangladesh"), "two-letter ISO codes"),
        (_form([site.id], held_on="not a date"), "Not a valid date value."),
        (_form([site.id], sites=["999999"]), "Choose sites from the list"),
        (_form([site.id], people_workers_total="-3"), "Number must be"),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post("/engagement/activities/new", data=data)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Activity)) == 0


def test_monitors_see_their_sites_and_edit_only_what_they_recorded(app, client, factory):
    mine, other = factory.site(name="Assigned Plant"), factory.site(name="Other Plant")
    lead = factory.user("compliance")
    monitor = factory.user("monitor", sites=[mine])
    theirs = helpers.activity(app, lead, sites=[other], title="Elsewhere meeting")
    here = helpers.activity(app, lead, sites=[mine], title="Here meeting")
    login(client, monitor)
    listing = client.get("/engagement").get_data(as_text=True)
    assert "Here meeting" in listing and "Elsewhere meeting" not in listing
    assert client.get(f"/engagement/activities/{theirs}").status_code == 404
    assert client.get(f"/engagement/activities/{here}/edit").status_code == 403
    # A monitor records at its own sites only.
    assert client.post("/engagement/activities/new", data=_form([other.id])).status_code == 400
    response = client.post("/engagement/activities/new", data=_form([mine.id], title="Visit"))
    assert response.status_code == 302
    own = int(response.headers["Location"].rsplit("/", 1)[1])
    edited = client.post(f"/engagement/activities/{own}/edit", data=_form([mine.id], title="V2"))
    assert edited.status_code == 302
    assert client.post(f"/engagement/activities/{own}/delete", data={"delete-confirm": "y"}) \
        .status_code == 403  # fmt: skip
    # Suppliers and admins never see the log.
    for role in ("supplier", "admin"):
        other_client = app.test_client()
        login(other_client, factory.user(role))
        assert other_client.get("/engagement").status_code == 403


def test_files_are_checked_and_served_only_inside_the_scope(app, client, factory):
    site = factory.site()
    lead = factory.user("compliance")
    activity_id = helpers.activity(app, lead, sites=[site])
    login(client, lead)
    url = f"/engagement/activities/{activity_id}/files"
    refused = client.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00"), "a.pdf")})
    assert refused.status_code == 400
    assert "Only PDF, JPEG or PNG" in refused.get_data(as_text=True)

    assert client.post(url, data={"file": (io.BytesIO(PDF), "minutes.pdf")}).status_code == 302
    with app.app_context():
        stored = db.session.get(Activity, activity_id).files[0]
        file_url = f"{url}/{stored.id}"
    download = client.get(file_url)
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    outsider = app.test_client()
    login(outsider, factory.user("monitor", sites=[factory.site()]))
    assert outsider.get(file_url).status_code == 404


def test_deleting_an_activity_needs_the_confirmation(app, client, factory):
    lead = factory.user("compliance")
    activity_id = helpers.activity(app, lead, sites=[factory.site()])
    login(client, lead)
    url = f"/engagement/activities/{activity_id}/delete"
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"delete-confirm": "y"}).status_code == 302
    assert client.get(f"/engagement/activities/{activity_id}").status_code == 404


def test_partners_register_keeps_contacts_for_staff_and_links_monitors(app, client, factory):
    site = factory.site(name="Union Site")
    monitor = factory.user("monitor", sites=[site])
    supplier_user = factory.user("supplier")
    login(client, factory.user("compliance"))
    data = {"name": "Garment Workers' Federation", "kind": "union", "stakeholder_group": "workers",
            "countries": "bd, np", "sites": [str(site.id)], "members": [str(monitor.id)],
            "contact_name": "Rahima Akter", "contact_email": "rahima@example.org",
            "active": "y"}  # fmt: skip
    assert client.post("/engagement/partners/new", data=data).status_code == 302
    listing = client.get("/engagement/partners").get_data(as_text=True)
    assert "Garment Workers&#39; Federation" in listing and "Rahima Akter" in listing
    with app.app_context():
        partner = db.session.scalar(select(Partner))
        assert partner.countries == ["BD", "NP"] and [u.id for u in partner.members] == [monitor.id]
        partner_id = partner.id
    # Same name again, and a supplier account as a member, are refused.
    again = client.post("/engagement/partners/new", data=data)
    assert again.status_code == 400 and "already in the register" in again.get_data(as_text=True)
    bad = dict(data, name="Other", members=[str(supplier_user.id)])
    assert "Only monitor accounts" in client.post("/engagement/partners/new", data=bad) \
        .get_data(as_text=True)  # fmt: skip
    # Removing the member frees the monitor account.
    edit = dict(data, members=[])
    assert client.post(f"/engagement/partners/{partner_id}", data=edit).status_code == 302
    with app.app_context():
        assert db.session.get(Partner, partner_id).members == []


def test_a_plan_can_be_opened_from_an_activity(app, client, factory):
    site = factory.site(name="Audit Site")
    lead = factory.user("compliance")
    activity_id = helpers.activity(app, lead, sites=[site], kind="joint_audit",
                                   areas=("monitoring",), groups=("workers", "ngos"))  # fmt: skip
    login(client, lead)
    html = client.get(f"/engagement/activities/{activity_id}").get_data(as_text=True)
    assert 'name="activity"' in html and "Open a corrective action plan" in html
    query = f"/caps/new?activity={activity_id}&site={site.id}&indicator=FL03"
    form = client.get(query)
    assert form.status_code == 200 and "Engagement activity" in form.get_data(as_text=True)
    response = client.post("/caps/new", data={
        "activity": str(activity_id), "site": str(site.id), "indicator": "FL03",
        "title": "Passports kept in the office", "severity": "major", "due_on": "2030-01-01",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    from portal.remediation.models import CapFinding

    with app.app_context():
        finding = db.session.scalar(select(CapFinding))
        found = (finding.source, finding.activity_id, finding.indicator)
        assert found == ("activity", activity_id, "FL03")
    assert "Passports kept in the office" in client.get(
        f"/engagement/activities/{activity_id}").get_data(as_text=True)  # fmt: skip
    # A site the activity was not at is refused with a message.
    other = factory.site()
    wrong = client.get(f"/caps/new?activity={activity_id}&site={other.id}&indicator=FL03")
    assert wrong.status_code == 400


def test_a_training_gets_its_feedback_survey_and_shows_the_answers(app, client, factory):
    import random

    from portal import ROOT
    from portal.surveys import services as surveys
    from portal.surveys.simulate import Profile, simulate

    site = factory.site(name="Training Site", languages=["bn", "en"])
    lead = factory.user("compliance")
    with app.app_context():
        surveys.sync_folder(ROOT / "surveys")
    meeting = helpers.activity(app, lead, sites=[site])
    training = helpers.activity(app, lead, sites=[site], kind="training", areas=("training",))
    login(client, lead)
    refused = client.post(f"/engagement/activities/{meeting}/feedback", data={})
    assert refused.status_code == 409 and "follow trainings only" in refused.get_data(as_text=True)
    assert client.post(f"/engagement/activities/{training}/feedback", data={}).status_code == 302
    again = client.post(f"/engagement/activities/{training}/feedback", data={})
    assert again.status_code == 409
    with app.app_context():
        campaign = db.session.get(Activity, training).feedback_campaign
        assert campaign.survey_version.survey.form_id == "training-feedback"
        assert campaign.languages == ["bn", "en"] and campaign.stakeholder_group == "workers"
        campaign_id = campaign.id
    # The campaign is on the site's public page, in Bengali too.
    public = app.test_client().get(f"/s/{site.code}?lang=bn").get_data(as_text=True)
    assert f"/survey/{campaign_id}" in public
    html = client.get(f"/engagement/activities/{training}").get_data(as_text=True)
    assert "Fewer than 5 answers" in html
    with app.app_context():
        campaign = db.session.get(Activity, training).feedback_campaign
        simulate(campaign, db.session.merge(site), 8, Profile(), random.Random(3),
                 campaign.opens_on)  # fmt: skip
        db.session.commit()
    html = client.get(f"/engagement/activities/{training}").get_data(as_text=True)
    assert "8 answers" in html and "How much of the training did you understand?" in html
    assert "Fewer than 5 answers" not in html
