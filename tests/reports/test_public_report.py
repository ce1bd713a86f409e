"""The public report: every number recomputed here from the database and compared with what
the report shows, the suppression boundaries at 10 (with complementary suppression), frozen
versions at stable addresses, the drafting workflow with partners' comments, and the PDF."""

from __future__ import annotations

import io
import os
import statistics
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.grievances.services import as_utc
from portal.remediation.models import CorrectiveActionPlan
from portal.reports import figures
from portal.reports.models import PublicReport, ReportComment, ReportVersion
from portal.risk.models import ResponseCount
from portal.surveys.models import Campaign
from tests.factories import login
from tests.remediation.helpers import plan_at, worker_voice_campaign
from tests.reports import helpers


def _period():
    from portal.grievances.services import today

    day = today()
    return day - timedelta(days=60), day + timedelta(days=1)


def _compute(app, start, end):
    with app.test_request_context("/"):
        return figures.compute(start, end)


def _shown(n: int) -> int | None:
    return n if n == 0 or n >= 10 else None


def assert_protected(table: dict, truth: dict[tuple[str, str], int]):
    """Every shown cell equals the database's count; no row or column (totals included) has
    exactly one hidden cell; every hidden primary cell is 1–9."""
    rows, cols = [*table["rows"], "total"], [*table["cols"], "total"]
    full = {}
    for r in table["rows"]:
        for c in table["cols"]:
            full[(r, c)] = truth.get((r, c), 0)
        full[(r, "total")] = sum(full[(r, c)] for c in table["cols"])
    for c in cols:
        full[("total", c)] = sum(full[(r, c)] for r in table["rows"])
    for (r, c), n in full.items():
        shown = table["cells"][f"{r}|{c}"]
        assert shown is None or shown == n, (r, c)
        if 0 < n < 10:
            assert shown is None, (r, c, n)
    for line in [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]:
        hidden = [cell for cell in line if table["cells"][f"{cell[0]}|{cell[1]}"] is None]
        assert len(hidden) != 1, line


def test_grievance_figures_match_the_database(app, factory):
    lead = factory.user("compliance")
    mill, yard = factory.site(name="Mill"), factory.site(name="Yard")
    helpers.cases(app, mill, 12, category="wages", lead=lead, status="resolved",
                  days_to_resolve=[3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])  # fmt: skip
    helpers.cases(app, mill, 3, category="hours", lead=lead, status="acknowledged")
    helpers.cases(app, yard, 11, category="hours")
    start, end = _period()
    fig = _compute(app, start, end)["grievances"]

    rows = helpers.case_rows(app)
    in_time = sum(
        c.acknowledged_at is not None and as_utc(c.acknowledged_at) <= as_utc(c.acknowledge_due_at)
        for c in rows
    )
    late = len(rows) - in_time
    both = _shown(in_time) is not None and _shown(late) is not None
    assert fig["acknowledged"] == {"in_time": in_time if both else None,
                                   "late": late if both else None, "total": len(rows)}  # fmt: skip
    resolved = [c for c in rows if c.resolved_at is not None]
    assert fig["resolved"]["resolved"] == len(resolved) == 12
    days = [(as_utc(c.resolved_at) - as_utc(c.clock_started_at)).total_seconds() / 86400
            for c in resolved]  # fmt: skip
    assert fig["median_days"] == round(statistics.median(days), 1) == 8.5
    outcomes = Counter((c.category, figures.outcome_of(c)) for c in rows)
    assert_protected(fig["outcomes"], outcomes)
    # wages: 12 resolved (shown); hours: 14 open (shown); the totals come back in full.
    assert fig["outcomes"]["cells"]["wages|resolved"] == 12
    assert fig["outcomes"]["cells"]["hours|open"] == 14
    assert fig["outcomes"]["cells"]["total|total"] == 26


@pytest.mark.parametrize(("count", "shown"), [(9, None), (10, 10)])
def test_the_public_threshold_is_ten(app, factory, count, shown):
    site = factory.site()
    helpers.cases(app, site, count)
    start, end = _period()
    fig = _compute(app, start, end)["grievances"]
    assert fig["acknowledged"]["total"] == shown
    # A median of nine resolutions would describe nine people.
    assert fig["median_days"] is None


def test_complementary_suppression_protects_totals(app, factory):
    site = factory.site()
    lead = factory.user("compliance")
    helpers.cases(app, site, 20, category="wages")
    helpers.cases(app, site, 3, category="housing", lead=lead, status="resolved")
    start, end = _period()
    fig = _compute(app, start, end)["grievances"]["outcomes"]
    cells = fig["cells"]
    # housing|resolved = 3 is hidden, so the housing row total (3) and a second resolved cell
    # must be hidden too: neither subtraction gives it back.
    assert cells["housing|resolved"] is None
    assert cells["housing|total"] is None
    assert cells["total|resolved"] is None
    assert_protected(fig, {("wages", "open"): 20, ("housing", "resolved"): 3})


def test_scope_remediation_and_engagement_match_the_database(app, factory):
    lead = factory.user("compliance")
    supplier = factory.supplier("Scope Co")
    mill = factory.site(supplier, "Scope Mill", headcount=400)
    owner = factory.user("supplier", supplier=supplier)
    worker_voice_campaign(app, mill, adverse={"FL03": 0.5}, responses=14)
    verified_id = plan_at(app, mill, lead, owner, indicator="FL02", status="awaiting_verification")
    plan_at(app, mill, lead, owner, indicator="FL03")
    with app.app_context():
        plan = db.session.get(CorrectiveActionPlan, verified_id)
        plan.status, plan.verified_on = "verified", _period()[1] - timedelta(days=1)
        plan.remedy_workers, plan.remedy_amount, plan.remedy_currency = 12, 3400, "USD"
        db.session.commit()
    start, end = _period()
    fig = _compute(app, start, end)
    with app.app_context():
        reached = dict(db.session.execute(
            select(Campaign.stakeholder_group, func.sum(ResponseCount.count))
            .join(Campaign, Campaign.id == ResponseCount.campaign_id)
            .group_by(Campaign.stakeholder_group)
        ).all())  # fmt: skip
        plans = list(db.session.scalars(select(CorrectiveActionPlan)))
    assert fig["scope"]["sites"] == 1 and fig["scope"]["suppliers"] == 1
    assert fig["scope"]["headcount"] == 400
    assert fig["scope"]["reached"]["cells"]["workers|responses"] == reached["workers"] == 14
    assert fig["remediation"]["opened"] == len(plans) == 2
    assert fig["remediation"]["verified"] == 1
    assert fig["remediation"]["workers_remedied"] == 12
    assert fig["remediation"]["fees"] == {"USD": 3400.0}
    # The survey campaign counts in workers × its areas, with its 14 respondents.
    people = fig["engagement"]["people"]["cells"]
    assert people["workers|total"] == 14 * sum(
        1
        for key in fig["engagement"]["events"]
        if key.startswith("workers|") and fig["engagement"]["events"][key]
    )


def test_fees_and_remedied_workers_under_ten_are_not_shown(app, factory):
    lead = factory.user("compliance")
    supplier = factory.supplier()
    mill = factory.site(supplier)
    owner = factory.user("supplier", supplier=supplier)
    plan_id = plan_at(app, mill, lead, owner, indicator="FL02", status="awaiting_verification")
    with app.app_context():
        plan = db.session.get(CorrectiveActionPlan, plan_id)
        plan.status, plan.verified_on = "verified", _period()[1] - timedelta(days=1)
        plan.remedy_workers, plan.remedy_amount, plan.remedy_currency = 4, 900, "USD"
        db.session.commit()
    fig = _compute(app, *_period())["remediation"]
    assert fig["workers_remedied"] is None
    assert fig["fees"] is None and fig["fees_hidden"] is True


def test_risk_themes_count_sites_by_band_from_gated_signals(app, factory):
    loud, calm, quiet = (factory.site(name=name) for name in ("Loud", "Calm", "Quiet"))
    worker_voice_campaign(app, loud, adverse={"FL03": 1.0}, responses=30)
    worker_voice_campaign(app, calm, adverse={"FL03": 0.0}, responses=20, seed=2)
    worker_voice_campaign(app, quiet, adverse={"FL03": 1.0}, responses=6, seed=3)
    fig = _compute(app, *_period())["risks"]
    fl03 = next(row for row in fig["rows"] if row["indicator"] == "FL03")
    # The six answers of Quiet are hidden, and so is Calm's cell (complementary suppression:
    # otherwise a published column total would give Quiet's back); Loud is scored critical.
    assert fl03["critical"] == 1 and sum(fl03[b] for b in figures.BANDS) == 1
    assert fig["hidden"] > 0 and fig["attention"] >= 1


def test_publishing_freezes_the_figures(app, client, factory):
    lead = factory.user("compliance")
    site = factory.site()
    helpers.cases(app, site, 10)
    start, end = _period()
    report_id = helpers.draft(app, lead, start=start, end=end)
    login(client, lead)
    response = client.post(f"/reports/{report_id}/publish")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/accountability/{report_id}/v1")
    client.post("/logout")
    page = client.get(f"/accountability/{report_id}/v1?lang=en").data.decode()
    assert "Worker voice report" in page and "<dd>10</dd>" in page

    helpers.cases(app, site, 5)  # new data after publication
    again = client.get(f"/accountability/{report_id}/v1?lang=en").data.decode()
    assert "<dd>10</dd>" in again and "<dd>15</dd>" not in again
    v2 = helpers.publish(app, lead, report_id)
    assert v2 == 2
    assert "<dd>15</dd>" in client.get(f"/accountability/{report_id}/v2?lang=en").data.decode()
    assert "<dd>10</dd>" in client.get(f"/accountability/{report_id}/v1?lang=en").data.decode()
    latest = client.get(f"/accountability/{report_id}")
    assert latest.status_code == 302 and latest.headers["Location"].endswith("/v2")
    with app.app_context():
        first = db.session.scalar(select(ReportVersion).where(ReportVersion.number == 1))
        assert first.figures["grievances"]["acknowledged"]["total"] == 10
    index = client.get("/accountability?lang=en").data.decode()
    assert f"/accountability/{report_id}/v2" in index
    assert client.get(f"/accountability/{report_id}/v3").status_code == 404


def test_the_report_is_bilingual_and_right_to_left_in_arabic(app, client, factory):
    lead = factory.user("compliance")
    start, end = _period()
    report_id = helpers.draft(app, lead, start=start, end=end)
    helpers.publish(app, lead, report_id)
    arabic = client.get(f"/accountability/{report_id}/v1?lang=ar").data.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "تقرير صوت العمال" in arabic and "جميع مواقعنا." in arabic
    # No Arabic narrative for grievances: the English one stands in, marked as English.
    assert 'lang="en">We answered every case.' in arabic
    bengali = client.get(f"/accountability/{report_id}/v1?lang=bn").data.decode()
    assert '<html lang="bn" dir="ltr">' in bengali and 'lang="en">Worker voice report' in bengali
    assert "<script" not in arabic


def _pdf_text(data: bytes) -> tuple[str, set[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in reader.pages for font in page["/Resources"]["/Font"].values()}  # fmt: skip
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def _have_noto() -> bool:
    try:
        found = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return False
    return all(name in found for name in ("Noto Sans Arabic", "Noto Sans Bengali"))


def test_the_pdf_embeds_fonts_and_reads_in_english_arabic_and_bengali(app, client, factory):
    if not _have_noto():
        message = "Noto fonts missing: run `make report-deps` as root"
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail(message)  # CI must check the PDF
        pytest.skip(message)
    lead = factory.user("compliance")
    start, end = _period()
    report_id = helpers.draft(app, lead, start=start, end=end, texts={
        "en": {"title": "Worker voice report", "scope": "All our sites."},
        "ar": {"title": "تقرير صوت العمال", "scope": "جميع مواقعنا."},
        "bn": {"title": "শ্রমিকের কণ্ঠ", "scope": "আমাদের সব কারখানা"},
    }, languages=("en", "ar", "bn"))  # fmt: skip
    helpers.publish(app, lead, report_id)
    texts = {}
    for lang in ("en", "ar", "bn"):
        response = client.get(f"/accountability/{report_id}/v1.pdf?lang={lang}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        texts[lang], fonts = _pdf_text(response.data)
        script = {"en": "Noto-Sans", "ar": "Noto-Sans-Arabic", "bn": "Noto-Sans-Bengali"}[lang]
        assert script in fonts, fonts  # embedded subsets, so the file reads anywhere
    # A version's PDF is rendered once per language and then served from disk.
    from pathlib import Path

    cached = list((Path(app.instance_path) / "report-pdfs").glob("*.pdf"))
    assert len(cached) >= 3
    again = client.get(f"/accountability/{report_id}/v1.pdf?lang=ar").data
    assert again in {path.read_bytes() for path in cached}
    assert "Worker voice report" in texts["en"] and "Methodology" in texts["en"]
    assert "تقرير صوت العمال" in texts["ar"] and "جميع مواقعنا" in texts["ar"]
    # Extraction maps a Bengali vowel sign by the first cluster its glyph appeared in (ো for
    # া), and spaces some clusters apart: compare the consonant skeleton, in order.
    assert _skeleton("আমাদের সব কারখানা") in _skeleton(texts["bn"])
    assert _skeleton("শ্রমিকের কণ্ঠ") in _skeleton(texts["bn"])


def _skeleton(text: str) -> str:
    return "".join(ch for ch in text if not ("\u09be" <= ch <= "\u09d7" or ch.isspace()))


def test_partners_comment_on_the_draft_and_compliance_answers(app, client, factory):
    from portal.engagement import services as engagement

    lead = factory.user("compliance")
    ngo_monitor = factory.user("monitor", name="NGO monitor")
    plain_monitor = factory.user("monitor", name="Auditor")
    with app.app_context():
        who = db.session.merge(lead)
        ngo = engagement.save_partner(engagement.PartnerData(
            name="Labour Rights NGO", kind="ngo", stakeholder_group="ngos",
            member_ids=[ngo_monitor.id]), who)  # fmt: skip
        engagement.save_partner(engagement.PartnerData(
            name="Audit Firm", kind="auditor", stakeholder_group="ngos",
            member_ids=[plain_monitor.id]), who)  # fmt: skip
        ngo_id = ngo.id
    start, end = _period()
    report_id = helpers.draft(app, lead, start=start, end=end)

    login(client, plain_monitor)
    assert client.get(f"/reports/{report_id}").status_code == 404
    assert client.post(f"/reports/{report_id}/comments",
                       data={"section": "general", "body": "x"}).status_code == 404  # fmt: skip
    client.post("/logout")

    login(client, ngo_monitor)
    assert client.get(f"/reports/{report_id}").status_code == 200
    empty = client.post(f"/reports/{report_id}/comments?lang=en",
                        data={"section": "grievances", "body": "  "})  # fmt: skip
    assert empty.status_code == 400 and "Write your comment." in empty.data.decode()
    body = {"section": "grievances", "body": "Cases at Yard are missing."}
    sent = client.post(f"/reports/{report_id}/comments", data=body)
    assert sent.status_code == 302
    client.post("/logout")
    with app.app_context():
        comment = db.session.scalar(select(ReportComment))
        assert (comment.partner_id, comment.section) == (ngo_id, "grievances")
        comment_id = comment.id

    login(client, lead)
    page = client.get(f"/reports/{report_id}?lang=en").data.decode()
    assert "Cases at Yard are missing." in page and "Labour Rights NGO" in page
    assert client.post(f"/reports/{report_id}/comments/{comment_id}",
                       data={"answer": ""}).status_code == 400  # fmt: skip
    assert client.post(f"/reports/{report_id}/comments/{comment_id}",
                       data={"answer": "Added after checking."}).status_code == 302  # fmt: skip
    helpers.publish(app, lead, report_id)
    client.post("/logout")
    public = client.get(f"/accountability/{report_id}/v1?lang=en").data.decode()
    assert "Cases at Yard are missing." not in public and "Added after checking." not in public
    with app.app_context():
        report = db.session.get(PublicReport, report_id)
        assert [e.action for e in report.events] == ["created", "comment", "answer", "published"]


def test_the_draft_form_refuses_bad_input_with_reasons(app, client, factory):
    lead = factory.user("compliance")
    login(client, lead)
    base = {"period_start": "2026-06-30", "period_end": "2026-01-01", "languages": ["en"],
            "title_en": "Backwards"}  # fmt: skip
    response = client.post("/reports/new?lang=en", data=base)
    assert response.status_code == 400
    assert "The period must start before it ends" in response.data.decode()
    no_title = client.post("/reports/new?lang=en", data={**base, "period_start": "2026-01-01",
                                                          "period_end": "2026-03-31",
                                                          "title_en": ""})  # fmt: skip
    assert no_title.status_code == 400 and "Give the report a title" in no_title.data.decode()
    no_lang = client.post("/reports/new?lang=en", data={**base, "languages": []})
    assert no_lang.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(PublicReport.id))) == 0
