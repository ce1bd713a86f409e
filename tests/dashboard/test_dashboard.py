"""The risk dashboard, with data built through the real services: responses submitted through
``services.submit_response`` (which maintains the rollups), supplier questionnaires through
``saq``, cases through the grievance services."""

from __future__ import annotations

import re

from portal.dashboard import charts
from portal.extensions import db
from portal.grievances import services as grievances
from portal.risk import scoring, signals
from portal.surveys import saq, services
from portal.surveys.models import Answer, Campaign
from tests.factories import login
from tests.surveys.conftest import utc_today

ADVERSE = {"id_access": "no", "hours": "40"}
CLEAN = {"id_access": "yes", "hours": "40"}
DONT_KNOW = {"id_access": "dk", "hours": "40"}

SAQ = {
    "form_id": "mini-saq",
    "version": "1",
    "title": {"en": "Supplier questionnaire"},
    "audience": "suppliers",
    "areas": ["risk_assessment", "monitoring"],
    "default_language": "en",
    "languages": ["en"],
    "questions": [
        {
            "type": "select_one keeper",
            "name": "documents",
            "label": {"en": "Who keeps the workers' identity documents?"},
            "risk": {"indicator": "FL03", "adverse": ["company_keeps"]},
        }
    ],
    "choices": {
        "keeper": [
            {"name": "worker_keeps", "label": {"en": "The workers"}},
            {"name": "company_keeps", "label": {"en": "The company"}},
        ]
    },
}


def submit(app, campaign, site, answers: list[dict]) -> None:
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        merged = db.session.merge(site)
        for data in answers:
            services.submit_response(stored, merged, "en", dict(data), utc_today())


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def heatmap_row(html: str, site_name: str) -> list[str]:
    """The cell texts of one site's heatmap row, in signals.ORDER."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if site_name in row]
    assert len(rows) == 1, site_name
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0], re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_a_planted_high_risk_site_shows_its_band_and_k_of_n(app, factory, deploy):
    supplier = factory.supplier("Planted Supplier")
    risky = factory.site(supplier, "Risky Mill")
    quiet = factory.site(supplier, "Quiet Mill")
    campaign, _ = deploy(sites=[risky, quiet])
    submit(app, campaign, risky, [ADVERSE] * 4 + [CLEAN] * 8)
    submit(app, campaign, quiet, [CLEAN] * 12)
    client = signed_in(app, factory.user("compliance"))

    overview = page(client, "/dashboard")
    assert "Risky Mill" in overview
    assert "4 of 12" in overview
    assert 'class="band band-critical"' in overview
    assert 'role="img"' in overview  # the band bar

    cells = heatmap_row(page(client, "/dashboard/heatmap"), "Risky Mill")
    fl03 = cells[signals.ORDER.index("FL03")]
    assert fl03.startswith("critical")
    quiet_cells = heatmap_row(page(client, "/dashboard/heatmap"), "Quiet Mill")
    assert quiet_cells[signals.ORDER.index("FL03")].split()[0] in ("low", "medium")
    assert quiet_cells[signals.ORDER.index("FL01")] == "—"  # no question about it: no data

    site_page = page(client, f"/dashboard/sites/{risky.id}")
    assert "4 of 12" in site_page and "critical" in site_page
    assert "<svg" in site_page and "<title" in site_page
    quiet_page = page(client, f"/dashboard/sites/{quiet.id}")
    assert "no reports among 12" in quiet_page

    indicator = page(client, "/dashboard/indicators/FL03")
    assert indicator.index("Risky Mill") < indicator.index("Quiet Mill")  # ranked
    assert "chart-funnel" in indicator


def test_a_zero_tolerance_report_in_a_suppressed_cell_says_needs_attention_without_numbers(
    app, factory, deploy
):
    site = factory.site(name="Tiny Workshop")
    campaign, _ = deploy(sites=[site])
    submit(app, campaign, site, [ADVERSE, CLEAN, CLEAN])  # n = 3 < 5
    client = signed_in(app, factory.user("compliance"))
    for url in ("/dashboard", f"/dashboard/sites/{site.id}", "/dashboard/heatmap"):
        html = page(client, url)
        assert "needs attention" in html, url
        assert "1 of 3" not in html and "among 3" not in html and "of 3<" not in html, url
    cells = heatmap_row(page(client, "/dashboard/heatmap"), "Tiny Workshop")
    assert cells[signals.ORDER.index("FL03")] == "hidden"
    assert cells[signals.ORDER.index("FL09")] == "hidden"


def test_suppliers_never_see_a_number_from_a_cell_under_ten(app, factory, deploy):
    supplier = factory.supplier("Own Supplier")
    own = factory.site(supplier, "Own Plant")
    other = factory.site(factory.supplier("Someone Else"), "Other Plant")
    campaign, _ = deploy(sites=[own, other])
    # 12 responses: FL03 has 3 adverse of 7 valid answers (5 "don't know"); FL09 has 12.
    answers = [ADVERSE] * 3 + [CLEAN] * 4 + [DONT_KNOW] * 5
    answers = [dict(a) for a in answers]
    for data in answers[:5]:
        data["hours"] = "70"  # 5 of 12 adverse on FL09
    submit(app, campaign, own, answers)
    submit(app, campaign, other, [ADVERSE] * 12)
    supplier_user = factory.user("supplier", supplier=supplier)
    client = signed_in(app, supplier_user)

    with app.app_context():
        p0, _sites = signals.baselines(signals.current_period(), "workers")[("workers", "FL03")]
    hidden_score = scoring.score_cell(3, 7, p0, scoring.tau_for("FL03"))
    hidden_text = f"{hidden_score.band} {round(hidden_score.score)}"

    pages = {
        url: page(client, url)
        for url in (
            "/dashboard",
            "/dashboard/heatmap",
            f"/dashboard/sites/{own.id}",
            "/dashboard/indicators/FL03",
            "/dashboard/indicators/FLX",
            "/dashboard/indicators/FL09",
        )
    }
    for url, html in pages.items():
        assert "Other Plant" not in html, url
        for leak in ("of 7", "among 7", "3 of", hidden_text):
            assert leak not in html, (url, leak)
    cells = heatmap_row(pages["/dashboard/heatmap"], "Own Plant")
    assert cells[signals.ORDER.index("FL03")] == "hidden"
    assert cells[signals.ORDER.index("FLX")] == "hidden"
    assert cells[signals.ORDER.index("FL09")] != "hidden"
    assert "5 of 12" in pages[f"/dashboard/sites/{own.id}"]  # the n = 12 cell is shown
    assert "5 of 12" in pages["/dashboard/indicators/FL09"]
    page(client, f"/dashboard/sites/{other.id}", 404)
    page(client, "/engagement/matrix", 403)
    # Suppliers see no grievance information.
    assert "Grievance cases" not in pages["/dashboard"]

    # Compliance, at the staff threshold of 5, sees the same cell.
    staff_client = signed_in(app, factory.user("compliance"))
    assert "3 of 7" in page(staff_client, f"/dashboard/sites/{own.id}")


def test_monitors_see_only_their_assigned_sites(app, factory, deploy):
    assigned = factory.site(name="Assigned Site")
    elsewhere = factory.site(name="Elsewhere Site")
    campaign, _ = deploy(sites=[assigned, elsewhere])
    submit(app, campaign, assigned, [CLEAN] * 6)
    submit(app, campaign, elsewhere, [ADVERSE] * 6)
    client = signed_in(app, factory.user("monitor", sites=[assigned]))
    heatmap = page(client, "/dashboard/heatmap")
    assert "Assigned Site" in heatmap and "Elsewhere Site" not in heatmap
    assert "Elsewhere Site" not in page(client, "/dashboard")
    assert "Elsewhere Site" not in page(client, "/dashboard/indicators/FL03")
    page(client, f"/dashboard/sites/{assigned.id}")
    page(client, f"/dashboard/sites/{elsewhere.id}", 404)
    page(client, "/engagement/matrix")


def test_admins_are_refused(app, factory):
    site = factory.site()
    client = signed_in(app, factory.user("admin"))
    for url in ("/dashboard", "/dashboard/heatmap", f"/dashboard/sites/{site.id}",
                "/dashboard/indicators/FL03", "/engagement/matrix"):  # fmt: skip
        page(client, url, 403)


def test_a_discrepancy_appears_when_the_supplier_denies_what_workers_report(app, factory, deploy):
    supplier = factory.supplier("Denying Supplier")
    site = factory.site(supplier, "Denial Factory")
    campaign, _ = deploy(sites=[site])
    submit(app, campaign, site, [ADVERSE] * 4 + [CLEAN] * 8)
    questionnaire, _ = deploy(SAQ, group="suppliers", sites=[site], languages=["en"])
    supplier_user = factory.user("supplier", supplier=supplier)
    with app.app_context():
        response = saq.draft_for(
            db.session.get(Campaign, questionnaire.id), db.session.merge(site), supplier_user
        )
        response.answers.append(Answer(question="documents", value="worker_keeps"))
        db.session.commit()
        assert saq.submit(response, utc_today()) == []
    client = signed_in(app, factory.user("compliance"))
    overview = page(client, "/dashboard")
    assert "discrepancy" in overview and "FL03" in overview
    site_page = page(client, f"/dashboard/sites/{site.id}")
    assert "supplier denies it" in site_page
    assert "Retention of identity documents" in site_page


def test_a_credible_zero_tolerance_grievance_lifts_a_signal_to_at_least_high(app, factory, deploy):
    supplier = factory.supplier("Grievance Supplier")
    site = factory.site(supplier, "Grievance Site")
    campaign, _ = deploy(sites=[site])
    submit(app, campaign, site, [CLEAN] * 12)
    compliance = factory.user("compliance")
    client = signed_in(app, compliance)
    before = heatmap_row(page(client, "/dashboard/heatmap"), "Grievance Site")
    assert before[signals.ORDER.index("FL03")].split()[0] in ("low", "medium")

    with app.app_context():
        case, _receipt = grievances.create_grievance(
            grievances.IntakeData(
                reporter="worker",
                category="documents",
                description="The manager keeps our passports in the office.",
                language="en",
                site_id=site.id,
            )
        )
        grievances.triage(case, compliance, severity="high", indicators=["FL03"], site_id=None)
        grievances.change_status(case, compliance, "acknowledged")
    after = heatmap_row(page(client, "/dashboard/heatmap"), "Grievance Site")
    assert after[signals.ORDER.index("FL03")].split()[0] in ("high", "critical")
    site_page = page(client, f"/dashboard/sites/{site.id}")
    assert "raised to at least high by a credible case" in site_page
    overview = page(client, "/dashboard")
    assert "1 open case" in overview

    # A supplier sees the survey band only: a case is never revealed to the supplier.
    supplier_user = factory.user("supplier", supplier=supplier)
    supplier_client = signed_in(app, supplier_user)
    supplier_page = page(supplier_client, f"/dashboard/sites/{site.id}")
    assert "credible case" not in supplier_page and "Grievance cases" not in supplier_page
    supplier_cells = heatmap_row(page(supplier_client, "/dashboard/heatmap"), "Grievance Site")
    assert supplier_cells[signals.ORDER.index("FL03")].split()[0] in ("low", "medium")


def test_filters_narrow_the_sites(app, factory, deploy):
    bd = factory.site(factory.supplier("Dhaka Supplier", country="BD"), "Dhaka Site")
    vn = factory.site(factory.supplier("Hanoi Supplier", country="VN"), "Hanoi Site",
                      sector="electronics")  # fmt: skip
    campaign, _ = deploy(sites=[bd, vn])
    submit(app, campaign, bd, [CLEAN] * 6)
    submit(app, campaign, vn, [CLEAN] * 6)
    client = signed_in(app, factory.user("compliance"))
    both = page(client, "/dashboard/heatmap")
    assert "Dhaka Site" in both and "Hanoi Site" in both
    by_country = page(client, "/dashboard/heatmap?country=VN")
    assert "Hanoi Site" in by_country and "Dhaka Site" not in by_country
    by_sector = page(client, "/dashboard/heatmap?sector=apparel")
    assert "Dhaka Site" in by_sector and "Hanoi Site" not in by_sector
    by_supplier = page(client, f"/dashboard/heatmap?supplier={bd.supplier_id}")
    assert "Dhaka Site" in by_supplier and "Hanoi Site" not in by_supplier
    # A quarter without data shows nothing; an unknown quarter falls back to the current one.
    old = page(client, "/dashboard?period=1999-Q1")
    assert signals.current_period() in old
    # Another stakeholder group has no answers here.
    communities = page(client, "/dashboard/heatmap?group=communities")
    assert "critical" not in communities and "no answers" in communities


def test_the_indicator_page_knows_its_indicators(app, factory):
    client = signed_in(app, factory.user("compliance"))
    page(client, "/dashboard/indicators/XX99", 404)
    page(client, "/dashboard/indicators/FLX")
    page(client, "/dashboard/indicators/GV01")


def test_response_rates_divide_responses_by_headcount(app, factory, deploy):
    site = factory.site(name="Counted Site", headcount=200)
    campaign, _ = deploy(sites=[site])
    submit(app, campaign, site, [CLEAN] * 10)
    html = page(signed_in(app, factory.user("compliance")), "/dashboard")
    assert "every-type campaign" in html
    assert "5.0%" in html  # 10 of 200


def test_funnel_limits_and_charts_are_accessible():
    low, high = charts.funnel_limits(0.05, 100)
    assert 0 <= low < 0.05 < high <= 0.15
    svg = charts.band_bar({"critical": 1, "high": 0, "medium": 2, "low": 3, "none": 0},
                          {"critical": "c", "high": "h", "medium": "m", "low": "l", "none": "-"},
                          "Sites", "1 critical")  # fmt: skip
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "style=" not in svg
