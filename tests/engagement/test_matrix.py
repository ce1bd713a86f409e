"""The rebuilt engagement matrix, the yearly plan, the site history and the exports."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date, timedelta

from portal.engagement import matrix, plan, services
from portal.extensions import db
from portal.grievances import services as grievances
from tests.engagement import helpers
from tests.factories import login
from tests.surveys.conftest import EVERY_TYPE, utc_today


def _build(app, user, **scope):
    with app.app_context():
        viewer = db.session.merge(user)
        today = services.today()
        return matrix.build(viewer, today - timedelta(days=364), today,
                            matrix.scope_for(viewer, **scope), year=today.year)  # fmt: skip


def test_campaigns_responses_and_grievances_still_count(app, factory, deploy):
    from portal.surveys import services as surveys

    definition = copy.deepcopy(EVERY_TYPE)
    definition["areas"] = ["risk_assessment", "training"]
    site = factory.site(name="Engaged Site")
    campaign, _ = deploy(definition, sites=[site])
    with app.app_context():
        stored = db.session.get(surveys.Campaign, campaign.id)
        for _ in range(3):
            surveys.submit_response(stored, db.session.merge(site), "en",
                                    {"id_access": "yes", "hours": "40"}, utc_today())  # fmt: skip
        grievances.create_grievance(grievances.IntakeData(
            reporter="worker", category="wages", description="Wages are paid late every month.",
            language="en", site_id=site.id))  # fmt: skip
    built = _build(app, factory.user("compliance"))
    assert built.cell("workers", "risk_assessment").campaigns == 1
    assert built.cell("workers", "training").responses == 3
    assert built.cell("workers", "training").last == utc_today()
    assert built.cell("workers", "code_of_conduct").empty
    assert built.cell("workers", "monitoring").grievances == 1
    assert built.cell("workers", "remediation").grievances == 1


def test_activities_and_consultations_fill_cells_and_the_page_marks_gaps(app, client, factory):
    bd = factory.supplier("Dhaka", country="BD")
    vn = factory.supplier("Saigon", country="VN")
    gazipur, binh = factory.site(bd, "Gazipur"), factory.site(vn, "Binh Duong")
    lead = factory.user("compliance")
    people = {"workers": (12, 8, 4)}
    meeting = helpers.activity(app, lead, sites=[gazipur], groups=("workers", "suppliers"),
                               areas=("communication",), people=people)  # fmt: skip
    helpers.activity(app, lead, sites=[binh], groups=("workers",), areas=("communication",),
                     people={"workers": (5,)})  # fmt: skip
    helpers.activity(app, lead, kind="investor_dialogue", groups=("investors",),
                     areas=("public_reporting",), countries=("US",))  # fmt: skip
    helpers.activity(app, lead, sites=[gazipur], areas=("training",), days_ago=500)  # too old
    cid = helpers.consultation(app, lead, sites=[gazipur], groups=("workers", "suppliers"))
    helpers.comments(app, cid, gazipur, "workers", ["One", "Two", "Three"])

    built = _build(app, lead)
    cell = built.cell("workers", "communication")
    assert (cell.activities, cell.participants) == (2, 17)
    assert built.cell("suppliers", "communication").participants == 0
    assert built.cell("investors", "public_reporting").activities == 1
    assert built.cell("workers", "code_of_conduct").consultations == 1
    assert built.cell("workers", "code_of_conduct").comments == 3
    assert built.cell("workers", "training").empty  # the old training is outside the period
    assert ("workers", "training") in built.gaps
    # Filters: a country keeps its sites and the programme-wide events naming it.
    in_bd = _build(app, lead, country="BD")
    assert in_bd.cell("workers", "communication").activities == 1
    assert in_bd.cell("investors", "public_reporting").empty
    assert _build(app, lead, country="US").cell("investors", "public_reporting").activities == 1
    by_site = _build(app, lead, site=binh.id)
    assert by_site.cell("workers", "communication").participants == 5
    assert by_site.cell("workers", "code_of_conduct").empty

    login(client, lead)
    html = client.get("/engagement/matrix").get_data(as_text=True)
    assert html.count('class="gap"') == len(built.gaps)
    assert "Engage in collective bargaining; communicate with management" in html  # seed 000
    assert "2 activities" in html and "17 people" in html
    assert "/engagement?group=workers&amp;area=communication" in html
    assert client.get("/engagement/matrix?period=2019").get_data(as_text=True) \
        .count('class="gap"') == 42  # fmt: skip
    for bad in ("?period=abcd", "?period=9999-Q9", "?site=x", "?country=<b>", "?supplier=-1"):
        assert client.get(f"/engagement/matrix{bad}").status_code == 200, bad
    # The staff site page shows the site's history.
    site_page = client.get(f"/sites/{gazipur.id}").get_data(as_text=True)
    assert "Engagement history" in site_page and f"/engagement/activities/{meeting}" in site_page


def test_monitors_matrix_holds_only_their_sites(app, factory):
    mine, other = factory.site(name="Mine"), factory.site(name="Other")
    lead = factory.user("compliance")
    helpers.activity(app, lead, sites=[other], areas=("training",))
    helpers.activity(app, lead, sites=[mine], areas=("monitoring",))
    built = _build(app, factory.user("monitor", sites=[mine]))
    assert built.cell("workers", "training").empty
    assert built.cell("workers", "monitoring").activities == 1


def test_targets_progress_per_site_and_overdue_ones_reach_the_digest(app, client, factory):
    supplier = factory.supplier("Dhaka")
    first, second = factory.site(supplier, "First"), factory.site(supplier, "Second")
    lead = factory.user("compliance")
    for _ in range(2):
        helpers.activity(app, lead, sites=[first], kind="worker_representatives")
    helpers.activity(app, lead, sites=[second], kind="worker_representatives")
    year = utc_today().year
    login(client, lead)
    response = client.post(f"/engagement/plan?year={year}", data={
        "year": str(year), "stakeholder_group": "workers", "area": "communication",
        "kind": "worker_representatives", "count": "2", "per_site": "y",
        "supplier": str(supplier.id), "due_on": "", "note": "Two per site",
    })  # fmt: skip
    assert response.status_code == 302
    bad = client.post(f"/engagement/plan?year={year}", data={
        "year": str(year), "stakeholder_group": "workers", "area": "communication",
        "kind": "any", "count": "1", "supplier": "0", "due_on": f"{year + 1}-01-05",
    })  # fmt: skip
    assert bad.status_code == 409 and "must be in the target" in bad.get_data(as_text=True)
    with app.app_context():
        (item,) = plan.progress(db.session.merge(lead), year)
        assert (item.done, item.required, item.sites_met, item.sites_total) == (3, 4, 1, 2)
        assert not item.met and not item.overdue
        # Past its date, the same target is overdue, and the digest says so.
        item.target.due_on = date(year, 1, 1)
        db.session.commit()
        (late,) = plan.progress(db.session.merge(lead), year, today=date(year, 1, 2))
        assert late.overdue
        from portal.engagement.register import digest_sections

        if utc_today() > date(year, 1, 1):
            with app.test_request_context():
                (section,) = digest_sections()
            assert "3 of 4" in section.lines[0] and "Workers" in section.lines[0]
    page = client.get(f"/engagement/plan?year={year}").get_data(as_text=True)
    assert "Two per site" in page and "1 of 2 sites done" in page
    assert "target: 3 of 4" in client.get("/engagement/matrix").get_data(as_text=True)


def test_exports_leave_out_texts_and_small_comment_groups(app, client, factory):
    site = factory.site()
    lead = factory.user("compliance")
    helpers.activity(app, lead, sites=[site], people={"workers": (10, 6, 4)},
                     summary="Notes that stay inside")  # fmt: skip
    cid = helpers.consultation(app, lead, sites=[site], groups=("workers", "ngos"))
    helpers.comments(app, cid, site, "workers", [f"Worker comment {i}" for i in range(5)])
    helpers.comments(app, cid, site, "ngos", ["Lonely NGO comment"])
    login(client, lead)
    response = client.get("/exports/activities.csv")
    assert response.status_code == 200 and response.is_streamed
    (row,) = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    assert (row["participants_workers"], row["women"], row["men"]) == ("10", "6", "4")
    assert "summary" not in row
    assert "Notes that stay inside" in client.get("/exports/activities.csv?free_text=1").data \
        .decode("utf-8-sig")  # fmt: skip
    comments = client.get("/exports/consultation-comments.csv?free_text=1").data.decode(
        "utf-8-sig")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(comments)))
    assert len(rows) == 5 and {r["stakeholder_group"] for r in rows} == {"workers"}
    assert "Lonely NGO comment" not in comments
    assert "site" not in rows[0]
    dictionary = client.get("/exports/dictionary.csv").data.decode("utf-8-sig")
    assert "participants_workers" in dictionary and "consultation-comments" in dictionary
    monitor_client = app.test_client()
    login(monitor_client, factory.user("monitor", sites=[site]))
    assert monitor_client.get("/exports/activities.csv").status_code == 403
