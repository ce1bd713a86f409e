"""A data set whose every free-text field carries a script-injection payload, entered through
the real forms, and the pages that show those fields (used by the XSS and browser tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from sqlalchemy import select

from portal.extensions import db
from tests.factories import login

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
RLO = "\u202e"  # right-to-left override: "evil\u202egnp.exe" reads as "evilexe.png"


def payload(tag: str) -> str:
    """A unique marker (to find where a field is shown) followed by the HTML payloads."""
    return f"{tag} {SCRIPT}{IMG}"


def spoof(tag: str) -> str:
    """A name with a right-to-left override in the middle."""
    return f"{tag} {RLO}gnp.exe {SCRIPT}"


def stored(name: str) -> str:
    """A name as kept: forms drop bidi overrides from names (portal.forms.NAME_FILTERS)."""
    return name.replace(RLO, "")


@dataclass
class XssWorld:
    ids: dict = field(default_factory=dict)
    receipt: str = ""
    #: every value entered, by field
    values: dict = field(default_factory=dict)


def _ok(response, what):
    assert response.status_code in (200, 302), (what, response.status_code)
    return response


def build(app, factory) -> tuple[XssWorld, dict]:
    """Enter the payloads as the people who would type them; return the world and a signed-in
    client per role (the monitor is assigned to the site)."""
    from portal.grievances.models import Grievance
    from portal.suppliers.models import Site, Supplier
    from portal.surveys import services as survey_services
    from portal.surveys.definitions import parse_definition
    from portal.surveys.models import Campaign, Response
    from tests.surveys.conftest import EVERY_TYPE, utc_today
    from tests.surveys.test_saq import PDF, SAQ

    world = XssWorld()
    v = world.values
    v.update(
        organisation=payload("ORG"),
        user_name=spoof("USERNAME"),
        supplier=spoof("SUPPLIER"),
        contact_name=JS_URL,
        site=spoof("SITE"),
        locality=JS_URL,
        campaign=spoof("CAMPAIGN"),
        saq_campaign=payload("SAQCAMPAIGN"),
        description=payload("DESCRIPTION") + " wages unpaid",
        description2=payload("DESCRIPTION2") + " river is polluted",
        place=payload("PLACE"),
        when=payload("WHEN"),
        where=JS_URL,
        contact=payload("CONTACT"),
        reporter_reply=payload("REPORTERREPLY"),
        staff_reply=payload("STAFFREPLY"),
        note=payload("NOTE"),
        reason=payload("REASON"),
        survey_text=payload("SURVEYTEXT"),
        saq_notes=payload("SAQNOTES"),
        review=payload("REVIEW"),
        cap_title=payload("CAPTITLE"),
        cap_summary=payload("CAPSUMMARY"),
        cap_finding=payload("CAPFINDING"),
        root_cause=payload("ROOTCAUSE"),
        action=payload("CAPACTION"),
        owner=spoof("OWNER"),
        action_review=payload("ACTIONREVIEW"),
        cap_note=payload("CAPNOTE"),
        extension=payload("EXTENSION"),
        remedy=payload("REMEDY"),
    )
    admin = app.test_client()
    admin_user = factory.user("admin")
    login(admin, admin_user)
    world.ids["emails"] = {"admin": admin_user.email}
    compliance_user = factory.user("compliance")
    compliance = app.test_client()
    login(compliance, compliance_user)

    _ok(admin.post("/settings", data={"organisation_name": v["organisation"]}), "settings")
    _ok(
        admin.post(
            f"/users/{compliance_user.id}/edit",
            data={"email": compliance_user.email, "name": v["user_name"], "role": "compliance",
                  "supplier_id": "0", "locale": "", "active": "y"},
        ),
        "user name",
    )  # fmt: skip
    _ok(
        compliance.post(
            "/suppliers/new",
            data={"name": v["supplier"], "country": "BD", "contact_name": v["contact_name"]},
        ),
        "supplier",
    )
    with app.app_context():
        supplier_id = db.session.scalar(
            select(Supplier.id).where(Supplier.name == stored(v["supplier"]))
        )
    _ok(
        compliance.post(
            "/sites/new",
            data={"supplier_id": supplier_id, "name": v["site"], "country": "BD",
                  "locality": v["locality"], "sector": "apparel", "headcount": "300",
                  "languages": ["en", "ar"]},
        ),
        "site",
    )  # fmt: skip
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.name == stored(v["site"])))
        site_id, code = site.id, site.code
        versions = {}
        for definition in (EVERY_TYPE, SAQ):
            version, _ = survey_services.store_version(parse_definition(definition))
            versions[definition["form_id"]] = version.id
        db.session.commit()
    today = utc_today()
    for name, version, group, languages in (
        (v["campaign"], versions["every-type"], "workers", ["en", "ar"]),
        (v["saq_campaign"], versions["mini-saq"], "suppliers", ["en"]),
    ):
        _ok(
            compliance.post(
                "/campaigns/new",
                data={"name": name, "survey_version_id": version, "stakeholder_group": group,
                      "site_ids": site_id, "opens_on": today.isoformat(),
                      "closes_on": (today + timedelta(days=5)).isoformat(),
                      "languages": languages},
            ),
            "campaign",
        )  # fmt: skip
    with app.app_context():
        campaigns = {c.name: c.id for c in db.session.scalars(select(Campaign))}
    campaign_id = campaigns[stored(v["campaign"])]
    saq_campaign_id = campaigns[stored(v["saq_campaign"])]

    # A worker answers the survey, with the payload in the open text question.
    worker = app.test_client()
    base = f"/s/{code}/survey/{campaign_id}"
    _ok(worker.post(base), "start")
    # Every answer the walk may meet; each screen takes only its own questions.
    answers = {"id_access": "no", "problems": "fees", "hours": "70", "refuse": "no",
               "fees_detail": v["survey_text"]}  # fmt: skip
    location, visited = f"{base}/q/0", []
    while "/q/" in location:
        visited.append(location)
        location = _ok(worker.post(location, data=answers), location).headers["Location"]
    text_screens = [url for url in visited if 'name="fees_detail"' in worker.get(url).text]
    assert len(text_screens) == 1, visited
    world.ids["survey_screen"] = text_screens[0]  # the text question, shown with its answer
    world.ids["survey_worker"] = worker

    # Two reports: one at the site (with a call-back contact), one through the general entry.
    reporter = app.test_client()
    _ok(
        reporter.post(
            f"/s/{code}/report",
            data={"who": "worker", "category": "wages", "description": v["description"],
                  "occurred_when": v["when"], "occurred_where": v["where"],
                  "others_affected": "some", "wants_contact": "y", "contact": v["contact"]},
        ),
        "report",
    )  # fmt: skip
    receipt_page = reporter.get("/s/" + code + "/report/receipt").data.decode()
    world.receipt = re.search(r'class="receipt-number"[^>]*>([\d ]+)<', receipt_page).group(1)
    _ok(
        app.test_client().post(
            "/report",
            data={"who": "community", "category": "housing",
                  "description": v["description2"],
                  "reported_place": v["place"]},
        ),
        "general report",
    )  # fmt: skip
    _ok(
        reporter.post(
            "/follow-up/reply", data={"receipt": world.receipt, "message": v["reporter_reply"]}
        ),
        "reporter reply",
    )
    with app.app_context():
        cases = {g.reported_place: g.id for g in db.session.scalars(select(Grievance))}
    case_id, place_case_id = cases[None], cases[v["place"]]
    case = f"/cases/{case_id}"
    _ok(compliance.post(f"{case}/assign", data={"assignee_id": compliance_user.id}), "assign")
    _ok(compliance.post(f"{case}/reply", data={"reply-body": v["staff_reply"]}), "staff reply")
    _ok(compliance.post(f"{case}/note", data={"note-body": v["note"]}), "note")
    _ok(
        compliance.post(f"/cases/{place_case_id}/status",
                        data={"status": "rejected", "reason": v["reason"]}),
        "reason",
    )  # fmt: skip

    # The supplier fills its questionnaire, with notes and an evidence file, and submits it;
    # compliance returns it with a comment.
    supplier = app.test_client()
    with app.app_context():
        supplier_row = db.session.get(Supplier, supplier_id)
        db.session.expunge(supplier_row)
    supplier_user = factory.user("supplier", supplier=supplier_row)
    login(supplier, supplier_user)
    saq = f"/saq/{saq_campaign_id}/{site_id}"
    _ok(supplier.post(f"{saq}/section/0", data={"fees": "no", "workers": "300"}), "saq 0")
    _ok(
        supplier.post(
            f"{saq}/section/1",
            data={"notes": v["saq_notes"],
                  "policy": (BytesIO(PDF), "<img src=x onerror=alert(1)>.pdf")},
        ),
        "saq 1",
    )  # fmt: skip
    _ok(supplier.post(f"{saq}/submit"), "saq submit")
    with app.app_context():
        response_id = db.session.scalar(
            select(Response.id).where(Response.stakeholder_group == "suppliers")
        )
    _ok(
        compliance.post(
            f"/saq/submissions/{response_id}", data={"decision": "return", "comment": v["review"]}
        ),
        "review",
    )

    cap_id = _plan(app, compliance, supplier, site_id, today, v)
    world.ids.update(_engagement(app, compliance, supplier, site_id, code, today, v))
    world.ids.update(_reports(app, compliance, supplier_id, today, v))
    world.ids.update(_library(app, compliance, v))

    monitor = app.test_client()
    with app.app_context():
        site_row = db.session.get(Site, site_id)
        db.session.expunge(site_row)
    monitor_user = factory.user("monitor", sites=[site_row])
    login(monitor, monitor_user)
    world.ids["emails"].update(
        compliance=compliance_user.email, supplier=supplier_user.email, monitor=monitor_user.email
    )
    world.ids.update(
        supplier_id=supplier_id, site_id=site_id, code=code, campaign_id=campaign_id,
        saq_campaign_id=saq_campaign_id, case_id=case_id, place_case_id=place_case_id,
        response_id=response_id, compliance_user_id=compliance_user.id, cap_id=cap_id,
    )  # fmt: skip
    clients = {"admin": admin, "compliance": compliance, "supplier": supplier, "monitor": monitor}
    return world, clients


def _engagement(app, compliance, supplier, site_id, code, today, v) -> dict:
    """A partner, an activity and a consultation typed by compliance, a worker's anonymous
    comment, a supplier's signed one, a theme and its response."""
    from portal.engagement.models import Activity, Consultation, ConsultationTheme, Partner

    v.update(partner=payload("PARTNER"), activity=payload("ACTIVITYTITLE"),
             activity_text=payload("ACTIVITYTEXT"), draft=payload("DRAFT"),
             draft_title=payload("DRAFTTITLE"), comment=payload("COMMENT"),
             theme=payload("THEME"), response=payload("RESPONSE"))  # fmt: skip
    _ok(compliance.post("/engagement/partners/new", data={
        "name": v["partner"], "kind": "ngo", "stakeholder_group": "ngos",
        "contact_name": v["partner"], "website": JS_URL, "active": "y"}), "partner")  # fmt: skip
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id))
    _ok(compliance.post("/engagement/activities/new", data={
        "kind": "focus_group", "title": v["activity"], "held_on": today.isoformat(),
        "groups": ["workers"], "areas": ["communication"], "sites": [str(site_id)],
        "partners": [str(partner_id)], "summary": v["activity_text"],
        "outcomes": v["activity_text"], "people_workers_total": "7"}), "activity")  # fmt: skip
    _ok(compliance.post("/engagement/consultations/new", data={
        "document_kind": "code_of_conduct", "groups": ["workers", "suppliers"],
        "sites": [str(site_id)], "languages": ["en"], "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=9)).isoformat(), "title_en": v["draft_title"],
        "body_en": v["draft"], "question_en": v["draft"]}), "consultation")  # fmt: skip
    with app.app_context():
        activity_id = db.session.scalar(select(Activity.id))
        consultation_id = db.session.scalar(select(Consultation.id))
    url = f"/engagement/consultations/{consultation_id}"
    _ok(compliance.post(f"{url}/status", data={"status-status": "open"}), "open")
    anonymous = app.test_client()
    said = {"group": "workers", "comment": v["comment"]}
    for _ in range(5):
        _ok(anonymous.post(f"/s/{code}/consultations/{consultation_id}", data=said), "comment")
    _ok(supplier.post(f"{url}/comment", data={"comment-comment": v["comment"],
                                              "comment-site": "0"}), "signed")  # fmt: skip
    _ok(compliance.post(f"{url}/themes", data={"theme-title": v["theme"]}), "theme")
    with app.app_context():
        theme_id = db.session.scalar(select(ConsultationTheme.id))
    answer = {f"respond-{theme_id}-response": v["response"]}
    _ok(compliance.post(f"{url}/themes/{theme_id}", data=answer), "respond")
    return {"activity_id": activity_id, "consultation_id": consultation_id,
            "partner_id": partner_id}  # fmt: skip


def _reports(app, compliance, supplier_id, today, v) -> dict:
    """A public report whose title and narrative compliance typed, published; an evidence
    pack for the supplier (its name is shown in the list of packs)."""
    from portal.reports.models import PublicReport

    v.update(report_title=payload("REPORTTITLE"), narrative=payload("NARRATIVE"))
    period = {"period_start": (today - timedelta(days=90)).isoformat(),
              "period_end": today.isoformat()}  # fmt: skip
    _ok(compliance.post("/reports/new", data={
        **period, "languages": ["en", "ar"], "title_en": v["report_title"],
        "scope_en": v["narrative"], "methodology_ar": v["narrative"]}), "report")  # fmt: skip
    with app.app_context():
        report_id = db.session.scalar(select(PublicReport.id))
    _ok(compliance.post(f"/reports/{report_id}/publish"), "publish")
    _ok(compliance.post("/reports/packs", data={**period, "supplier": str(supplier_id)}), "pack")
    return {"report_id": report_id}


def _library(app, compliance, v) -> dict:
    """An XLSForm uploaded with payloads in its title, a label, a choice label and its file
    name; previewed and published."""
    import io
    import tempfile
    from pathlib import Path

    from portal.surveys.models import SurveyUpload
    from tests.surveys.forms import build as forms

    v.update(survey_title=payload("SURVEYTITLE"), question=payload("QLABEL"),
             choice=payload("CHOICELABEL"))  # fmt: skip
    sheets = {
        "survey": [["type", "name", "label"], ["select_one yn", "q", v["question"]]],
        "choices": [["list_name", "name", "label"], ["yn", "y", v["choice"]]],
        "settings": [["form_id", "form_title", "audience", "areas"],
                     ["xss-form", v["survey_title"], "workers", "training"]],
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        data = forms.write(sheets, Path(folder) / "f.xlsx").read_bytes()
    name = "FILENAME<img src=x onerror=alert(1)>.xlsx"
    _ok(compliance.post("/surveys/upload", data={"form_file": (io.BytesIO(data), name)}), "upload")
    with app.app_context():
        upload_id = db.session.scalar(select(SurveyUpload.id))
    _ok(compliance.post(f"/surveys/uploads/{upload_id}/publish"), "publish survey")
    with app.app_context():
        survey_id = db.session.scalar(select(SurveyUpload.published_version_id))
        from portal.surveys.models import SurveyVersion

        library_survey = db.session.get(SurveyVersion, survey_id).survey_id
    return {"upload_id": upload_id, "library_survey_id": library_survey}


def _plan(app, compliance, supplier, site_id, today, v) -> int:
    """A corrective action plan at the site, every text of it typed by compliance or the
    supplier: title, summary, finding note, remedy, root cause, action and its owner's name, a
    returned action's comment, a note, an extension reason and a hostile file name."""
    from portal.remediation.models import CapAction

    due = (today + timedelta(days=60)).isoformat()
    opened = _ok(
        compliance.post(
            "/caps/new",
            data={
                "site_id": site_id,
                "indicator": "FL03",
                "title": v["cap_title"],
                "severity": "major",
                "due_on": due,
                "summary": v["cap_summary"],
                "note": v["cap_finding"],
            },
        ),
        "plan",
    )
    cap = opened.headers["Location"]
    _ok(
        compliance.post(
            f"{cap}/edit",
            data={
                "title": v["cap_title"],
                "severity": "major",
                "due_on": due,
                "summary": v["cap_summary"],
                "remedy_description": v["remedy"],
            },
        ),
        "remedy",
    )
    _ok(supplier.post(f"{cap}/root-cause", data={"root-body": v["root_cause"]}), "root")
    _ok(
        supplier.post(
            f"{cap}/actions",
            data={
                "action-owner_kind": "partner",
                "action-owner_name": v["owner"],
                "action-description": v["action"],
                "action-due_on": due,
            },
        ),
        "action",
    )
    with app.app_context():
        action_id = db.session.scalar(select(CapAction.id).order_by(CapAction.id.desc()))
    _ok(
        compliance.post(
            f"{cap}/actions/{action_id}/review",
            data={
                f"review-{action_id}-decision": "return",
                f"review-{action_id}-comment": v["action_review"],
            },
        ),
        "return",
    )
    _ok(supplier.post(f"{cap}/notes", data={"note-body": v["cap_note"]}), "note")
    _ok(
        supplier.post(
            f"{cap}/extensions",
            data={
                "action_id": "0",
                "requested_due_on": (today + timedelta(days=90)).isoformat(),
                "reason": v["extension"],
            },
        ),
        "extension",
    )
    _ok(
        supplier.post(
            f"{cap}/evidence",
            data={
                "kind": "other",
                "action_id": "0",
                "file": (BytesIO(PDF_FILE), "<img src=x onerror=alert(1)>.pdf"),
            },
        ),
        "evidence",
    )
    return int(cap.rsplit("/", 1)[1])  # fmt: skip


PDF_FILE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


CAP_MARKERS = (
    "CAPTITLE",
    "CAPSUMMARY",
    "CAPFINDING",
    "REMEDY",
    "ROOTCAUSE",
    "CAPACTION",
    "OWNER",
    "ACTIONREVIEW",
    "CAPNOTE",
    "EXTENSION",
    "SITE",
    "SUPPLIER",
)


def pages(world: XssWorld) -> list[tuple[str, str, tuple[str, ...]]]:
    """(role, address, markers that page must show) for every page showing the payloads."""
    i = world.ids
    site, supplier, case = i["site_id"], i["supplier_id"], i["case_id"]
    saq = f"/saq/{i['saq_campaign_id']}/{site}"
    return [
        ("admin", "/users", ("ORG", "USERNAME")),
        ("admin", f"/users/{i['compliance_user_id']}/edit", ("USERNAME", "SITE", "SUPPLIER")),
        ("admin", "/settings", ("ORG",)),
        ("compliance", "/home", ("SITE", "SUPPLIER")),
        ("compliance", "/suppliers", ("SUPPLIER",)),
        ("compliance", f"/suppliers/{supplier}", ("SUPPLIER", "SITE", JS_URL)),
        ("compliance", f"/suppliers/{supplier}/edit", ("SUPPLIER", JS_URL)),
        ("compliance", "/sites", ("SITE", "SUPPLIER")),
        ("compliance", f"/sites/{site}", ("SITE", "SUPPLIER", JS_URL)),
        ("compliance", f"/sites/{site}/edit", ("SITE", JS_URL)),
        ("compliance", f"/sites/{site}/poster", ("SITE",)),
        ("compliance", "/campaigns", ("CAMPAIGN", "SAQCAMPAIGN")),
        ("compliance", f"/campaigns/{i['campaign_id']}", ("CAMPAIGN", "SITE")),
        ("compliance", "/campaigns/new", ("SITE",)),
        ("compliance", "/cases", ("SITE", "PLACE")),
        (
            "compliance",
            f"/cases/{case}",
            (
                "SITE",
                "SUPPLIER",
                "DESCRIPTION",
                "WHEN",
                JS_URL,
                "REPORTERREPLY",
                "STAFFREPLY",
                "NOTE",
                "USERNAME",
            ),
        ),
        ("compliance", f"/cases/{i['place_case_id']}", ("PLACE", "DESCRIPTION2", "REASON")),
        ("compliance", "/dashboard", ("SITE", "CAMPAIGN")),
        ("compliance", "/dashboard/heatmap", ("SITE",)),
        ("compliance", f"/dashboard/sites/{site}", ("SITE", "SUPPLIER", "CAMPAIGN")),
        ("compliance", "/dashboard/indicators/FL03", ()),
        ("compliance", "/engagement/matrix", ("SITE", "SUPPLIER")),
        ("compliance", "/engagement", ("ACTIVITYTITLE", "SITE")),
        (
            "compliance",
            f"/engagement/activities/{i['activity_id']}",
            ("ACTIVITYTITLE", "ACTIVITYTEXT", "PARTNER", "SITE"),
        ),
        (
            "compliance",
            f"/engagement/activities/{i['activity_id']}/edit",
            ("ACTIVITYTITLE", "ACTIVITYTEXT", "PARTNER", "SITE"),
        ),
        ("compliance", "/engagement/partners", ("PARTNER",)),
        ("compliance", f"/engagement/partners/{i['partner_id']}", ("PARTNER", JS_URL)),
        ("compliance", "/engagement/consultations", ("DRAFTTITLE",)),
        (
            "compliance",
            f"/engagement/consultations/{i['consultation_id']}",
            ("DRAFTTITLE", "DRAFT", "COMMENT", "THEME", "RESPONSE", "SITE"),
        ),
        (
            "supplier",
            f"/engagement/consultations/{i['consultation_id']}",
            ("DRAFTTITLE", "DRAFT", "COMMENT"),
        ),
        (
            "monitor",
            f"/engagement/activities/{i['activity_id']}",
            ("ACTIVITYTITLE", "ACTIVITYTEXT"),
        ),
        (
            "anonymous",
            f"/s/{i['code']}/consultations/{i['consultation_id']}",
            ("DRAFTTITLE", "DRAFT", "SITE"),
        ),
        ("compliance", "/surveys", ("SURVEYTITLE",)),
        ("compliance", f"/surveys/{i['library_survey_id']}", ("SURVEYTITLE",)),
        ("compliance", f"/surveys/uploads/{i['upload_id']}", ("SURVEYTITLE",)),
        ("compliance", f"/surveys/preview/upload/{i['upload_id']}/0", ("QLABEL", "CHOICELABEL")),
        ("compliance", "/reports", ("REPORTTITLE",)),
        ("compliance", f"/reports/{i['report_id']}", ("REPORTTITLE", "NARRATIVE")),
        ("compliance", f"/reports/{i['report_id']}/edit", ("REPORTTITLE", "NARRATIVE")),
        ("compliance", "/reports/packs", ("SUPPLIER",)),
        ("anonymous", "/accountability", ("REPORTTITLE",)),
        ("anonymous", f"/accountability/{i['report_id']}/v1", ("REPORTTITLE", "NARRATIVE")),
        ("anonymous", f"/accountability/{i['report_id']}/v1?lang=ar", ("REPORTTITLE", "NARRATIVE")),
        ("compliance", "/saq", ("SITE", "SAQCAMPAIGN")),
        ("compliance", f"/saq/submissions/{i['response_id']}", ("SAQCAMPAIGN", "SAQNOTES")),
        ("supplier", "/home", ("SITE", "SUPPLIER")),
        ("supplier", f"/suppliers/{supplier}", ("SUPPLIER", "SITE")),
        ("supplier", "/saq", ("SITE", "SAQCAMPAIGN")),
        ("supplier", f"{saq}/section/0", ("SITE", "REVIEW")),
        ("supplier", f"{saq}/section/1", ("SITE", "SAQNOTES")),
        ("supplier", f"{saq}/submit", ("SITE",)),
        ("supplier", "/dashboard", ()),
        ("compliance", "/caps", ("CAPTITLE", "SITE", "SUPPLIER")),
        ("compliance", f"/caps/{i['cap_id']}", CAP_MARKERS),
        ("compliance", f"/caps/{i['cap_id']}/edit", ("CAPTITLE", "CAPSUMMARY", "REMEDY")),
        ("supplier", "/caps", ("CAPTITLE", "SITE")),
        # the finding's note is staff-only: it may carry what workers said
        ("supplier", f"/caps/{i['cap_id']}", tuple(m for m in CAP_MARKERS if m != "CAPFINDING")),
        ("monitor", f"/caps/{i['cap_id']}", CAP_MARKERS),
        ("monitor", "/cases", ("SITE",)),
        ("monitor", f"/cases/{case}", ("DESCRIPTION", "STAFFREPLY", "NOTE", "USERNAME")),
        ("monitor", f"/sites/{site}/poster", ("SITE",)),
        ("anonymous", f"/s/{i['code']}", ("SITE", "ORG")),
        ("anonymous", f"/s/{i['code']}/report?who=worker", ("SITE",)),
        ("anonymous", f"/s/{i['code']}/survey/{i['campaign_id']}", ("SITE",)),
        ("worker", world.ids["survey_screen"], ("SURVEYTEXT",)),
        ("reporter", "/follow-up", ("DESCRIPTION", "REPORTERREPLY", "STAFFREPLY")),
    ]
