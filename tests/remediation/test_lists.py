"""Where plans show up outside their own page: the register (filters, paging, overdue), the
CAP export, the staff digest, the overview and heatmap, the case page, the questionnaire
review, and the reporter's follow-up page in their language."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from portal.extensions import db
from portal.remediation.models import CapAction, CorrectiveActionPlan
from portal.remediation.services import today
from tests.factories import login
from tests.grievances.helpers import latest_case, report
from tests.remediation.helpers import plan_at


@pytest.fixture
def plans(app, factory):
    supplier, other = factory.supplier("Lotus Garments"), factory.supplier("Orchid Toys")
    site, second = factory.site(supplier, "Lotus One"), factory.site(other, "Orchid Two")
    lead = factory.user("compliance")
    owner = factory.user("supplier", supplier=supplier, email="owner@lotus.example")
    other_owner = factory.user("supplier", supplier=other)
    ids = {
        "draft": plan_at(app, site, lead, owner),
        "late": plan_at(app, site, lead, owner, indicator="FL05", status="in_progress"),
        "other": plan_at(app, second, lead, other_owner, indicator="FL09", status="agreed"),
    }
    with app.app_context():  # one agreed action of the in-progress plan is past its date
        action = db.session.get(CorrectiveActionPlan, ids["late"]).actions[0]
        action.due_on = today() - timedelta(days=3)
        db.session.commit()
    return {"ids": ids, "site": site, "second": second, "lead": lead, "owner": owner,
            "supplier": supplier}  # fmt: skip


def _listed(page) -> set[int]:
    import re

    return {int(n) for n in re.findall(r'href="/caps/(\d+)"', page)}


def test_register_filters_and_pages(app, client, plans):
    ids = plans["ids"]
    login(client, plans["lead"])
    assert _listed(client.get("/caps").text) == set(ids.values())
    assert _listed(client.get("/caps?overdue=1").text) == {ids["late"]}
    assert _listed(client.get(f"/caps?supplier={plans['supplier'].id}").text) == {
        ids["draft"], ids["late"]}  # fmt: skip
    assert _listed(client.get(f"/caps?site={plans['second'].id}").text) == {ids["other"]}
    assert _listed(client.get("/caps?indicator=FL09").text) == {ids["other"]}
    assert _listed(client.get("/caps?status=draft").text) == {ids["draft"]}
    assert _listed(client.get("/caps?status=open").text) == set(ids.values())
    assert _listed(client.get("/caps?status=verified").text) == set()
    assert _listed(client.get("/caps?status=nonsense").text) == set(ids.values())
    assert "Overdue" in client.get("/caps?overdue=1").text
    kept = client.get(f"/caps?site={plans['second'].id}&status=open").text  # the form keeps them
    assert f'<option value="{plans["second"].id}" selected>' in kept
    assert '<option value="open" selected>' in kept
    app.config["CAPS_PER_PAGE"] = 2
    try:
        first, second = client.get("/caps").text, client.get("/caps?page=2").text
        assert len(_listed(first)) == 2 and len(_listed(second)) == 1
        assert _listed(first) | _listed(second) == set(ids.values())
        assert client.get("/caps?page=99").status_code == 404
    finally:
        app.config["CAPS_PER_PAGE"] = 25


def test_the_cap_export_streams_the_register_with_its_dictionary(app, client, plans):
    login(client, plans["lead"])
    response = client.get("/exports/caps.csv")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_id = {int(row["cap"]): row for row in rows}
    assert set(by_id) == set(plans["ids"].values())
    late = by_id[plans["ids"]["late"]]
    assert late["status"] == "in_progress" and late["overdue"] in ("yes", "true", "1", "True")
    assert "root_cause" not in late  # plans' texts only when asked for
    with_text = client.get("/exports/caps.csv?free_text=1").data.decode("utf-8-sig")
    assert "No lockers." in with_text
    workbook = load_workbook(io.BytesIO(client.get("/exports/caps.xlsx").data), read_only=True)
    assert len(workbook.sheetnames) >= 2
    dictionary = client.get("/exports/dictionary.csv").data.decode("utf-8-sig")
    assert "verified_while_high" in dictionary
    client.post("/logout")
    login(client, plans["owner"])
    assert client.get("/exports/caps.csv").status_code == 403


def test_the_digest_lists_overdue_plans_for_the_team_and_the_supplier(app, plans):
    from portal.grievances.notify import send_digest

    saved = app.config["NOTIFY_EMAILS"]
    app.config["NOTIFY_EMAILS"] = ["team@buyer.example"]
    try:
        with app.app_context():
            result = send_digest(dry_run=True)
            from portal.hooks import digest_sections

            with app.test_request_context(), force_locale("en"):
                (section,) = [s for s in digest_sections()
                              if s.title == "Overdue corrective action plans"]  # fmt: skip
    finally:
        app.config["NOTIFY_EMAILS"] = saved
    assert result.other["Overdue corrective action plans"] == 1
    (line,) = section.lines
    assert f"#{plans['ids']['late']} " in line and "overdue actions: 1" in line
    assert section.personal == {"owner@lotus.example": [line]}


def test_overview_heatmap_and_site_page_show_the_plans_behind_signals(app, client, plans):
    login(client, plans["lead"])
    overview = client.get("/dashboard").text
    assert "3 open plans" in overview and "1 overdue plan" in overview
    assert "/caps?overdue=1" in overview
    # the marks need signals: the heatmap lists the site, the plan mark sits in its FL05 cell
    heatmap = client.get("/dashboard/heatmap").text
    assert "Lotus One" in heatmap
    client.post("/logout")
    login(client, plans["owner"])
    overview = client.get("/dashboard").text
    assert "2 open plans" in overview  # its own sites only


def test_marks_come_from_the_plans_findings(app, plans):
    from portal.remediation import queries

    with app.app_context():
        marks = queries.marks([plans["site"].id, plans["second"].id], "workers", today())
    assert marks == {(plans["site"].id, "FL03"): "open", (plans["site"].id, "FL05"): "overdue",
                     (plans["second"].id, "FL09"): "open"}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_reporter_reads_that_remediation_is_under_way_then_verified(app, client, factory, lang):
    site = factory.site(languages=["ar", "en"])
    lead = factory.user("compliance")
    receipt = report(client, code=site.code, lang=lang, description="They keep our passports.")
    case = latest_case(app)
    login(client, lead)
    client.post(f"/cases/{case.id}/triage", data={"severity": "critical", "indicators": "FL03",
                "site_id": str(site.id)})  # fmt: skip
    case_page = client.get(f"/cases/{case.id}").text
    assert f"/caps/new?case={case.id}" in case_page
    opened = client.post("/caps/new", data={"case": str(case.id), "title": "Passports",
                         "severity": "critical", "due_on": (today() + timedelta(days=30))
                         .isoformat()})  # fmt: skip
    assert opened.status_code == 302
    cap_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    assert f"/caps/{cap_id}" in client.get(f"/cases/{case.id}").text

    def follow_up():
        return app.test_client().post("/follow-up", data={"receipt": receipt}).text

    def said(message):
        with app.test_request_context(), force_locale(lang):
            return gettext(message)

    under_way = said("A plan to fix the problem at the workplace is under way.")
    assert under_way in follow_up()
    with app.app_context():
        db.session.get(CorrectiveActionPlan, cap_id).status = "verified"
        db.session.commit()
    page = follow_up()
    assert under_way not in page
    assert said("The fix at the workplace has been checked, including by asking workers.") in page
    assert "Passports" not in page  # never the plan's own words


def test_a_plan_from_a_case_needs_its_site_and_indicators(app, client, factory):
    report(client, description="Something is wrong at a factory.")  # no site: a general report
    case = latest_case(app)
    login(client, factory.user("compliance"))
    refused = client.get(f"/caps/new?case={case.id}")
    assert refused.status_code == 400 and "Link the case to a site" in refused.text
    site = factory.site()
    client.post(f"/cases/{case.id}/triage", data={"severity": "high", "site_id": str(site.id)})
    with app.app_context():
        from portal.grievances.models import Grievance

        db.session.get(Grievance, case.id).indicators = []
        db.session.commit()
    refused = client.get(f"/caps/new?case={case.id}")
    assert refused.status_code == 400 and "Choose the case" in refused.text
    assert client.get("/caps/new?case=999999").status_code == 404


def test_opening_from_a_signal_takes_the_band_as_severity(app, client, factory):
    from tests.remediation.helpers import worker_voice_campaign

    site = factory.site(languages=["en"])
    worker_voice_campaign(app, site, adverse={"FL03": 0.8}, responses=20)
    login(client, factory.user("compliance"))
    site_page = client.get(f"/dashboard/sites/{site.id}").text
    assert f"/caps/new?site={site.id}" in site_page and "indicator=FL03" in site_page
    form = client.get(f"/caps/new?site={site.id}&group=workers&indicator=FL03").text
    assert 'value="critical" selected' in form or 'selected value="critical"' in form
    assert client.get(f"/caps/new?site={site.id}&indicator=ZZ99").status_code == 400
    opened = client.post("/caps/new", data={"site": str(site.id), "group": "workers",
                         "indicator": "FL03", "title": "Documents", "severity": "critical",
                         "due_on": (today() + timedelta(days=30)).isoformat()})  # fmt: skip
    assert opened.status_code == 302
    site_page = client.get(f"/dashboard/sites/{site.id}").text
    assert "plan open" in site_page
    heatmap = client.get("/dashboard/heatmap").text
    assert 'class="plan-mark plan-open"' in heatmap


def test_plan_pages_have_unique_ids(app, client, plans):
    import re

    with app.app_context():
        assert db.session.query(CapAction).count() >= 2
    for user in (plans["lead"], plans["owner"]):
        login(client, user)
        for cap_id in (plans["ids"]["draft"], plans["ids"]["late"]):
            ids = re.findall(r'\sid="([^"]+)"', client.get(f"/caps/{cap_id}").text)
            assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        client.post("/logout")


def test_a_plan_from_a_questionnaire_answer(app, client, factory, deploy):
    from sqlalchemy import select

    from portal.surveys.models import Response
    from tests.surveys.test_saq import PDF as SAQ_PDF
    from tests.surveys.test_saq import SAQ

    supplier = factory.supplier()
    site = factory.site(supplier, languages=["en"])
    campaign, _ = deploy(SAQ, group="suppliers", sites=[site])
    login(client, factory.user("supplier", supplier=supplier))
    base = f"/saq/{campaign.id}/{site.id}"
    client.post(f"{base}/section/0", data={"fees": "yes", "workers": "40"})
    client.post(f"{base}/section/1", data={"policy": (io.BytesIO(SAQ_PDF), "p.pdf")})
    assert client.post(f"{base}/submit").status_code == 302
    client.post("/logout")
    with app.app_context():
        response_id = db.session.scalar(select(Response.id))
    login(client, factory.user("compliance"))
    review = client.get(f"/saq/submissions/{response_id}").text
    link = f"/caps/new?response={response_id}&amp;question=fees"
    assert link in review and "question=workers" not in review  # only answers with a risk
    assert client.get(f"/caps/new?response={response_id}&question=workers").status_code == 400
    opened = client.post("/caps/new", data={"response": str(response_id), "question": "fees",
                         "title": "Fees", "severity": "major",
                         "due_on": (today() + timedelta(days=30)).isoformat()})  # fmt: skip
    assert opened.status_code == 302
    with app.app_context():
        cap = db.session.scalar(select(CorrectiveActionPlan))
        (finding,) = cap.findings
        assert (finding.source, finding.indicator, finding.question) == ("saq", "FL02", "fees")
