"""Hypothesis on every form and on the query strings of GET pages: never a 500; a refused
form answers 400 (413 when too large), in the visitor's language, keeps what was typed, and
writes nothing. tests/grievances/test_intake.py fuzzes the intake steps themselves."""

from __future__ import annotations

from functools import cache
from io import BytesIO

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import ROOT
from portal.grievances.services import clean_text
from tests.factories import login
from tests.security.helpers import Page, snapshot
from tests.test_access_matrix import build_world

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

#: Text a person could type (what must come back in the form), HTML specials included.
typed = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=60,
).filter(lambda text: text.strip() == text and text.strip())


class Huge(str):
    """600 KB of text (over the form-field memory cap), with a short name in reports."""

    def __repr__(self) -> str:
        return "Huge()"


class Upload(bytes):
    """A file sent where text is expected (turned into a fresh stream for every request)."""


def form(data: dict) -> dict:
    return {
        name: (BytesIO(value), "f.txt") if isinstance(value, Upload) else value
        for name, value in data.items()
    }


ODD = [
    "", " ", "0", "-1", "9" * 40, "1e309", "NaN", "2026-13-45", "<script>alert(1)</script>",
    "\x00", "'; DROP TABLE users;--", "\u202e", "٣", "🙂" * 50,
]  # fmt: skip
#: Anything at all for a field: odd values, any unicode, several values, a file, too much.
anything = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=300),
    st.lists(st.text(max_size=10), min_size=2, max_size=3),
    st.builds(lambda data: Upload(data), st.binary(max_size=50)),
    st.just(Huge("x" * 600_000)),
)


@cache
def french() -> dict[str, str]:
    """msgid → French msgstr, to tell a translated message from an English one."""
    with open(ROOT / "translations/fr/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale="fr")
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.string}


def check(app, client, url, data, *, ok, keep=None, refused=()):
    """POST ``data`` in French; ``ok`` are the success statuses. ``keep`` is the text that
    a refused form must show again. ``refused`` are the statuses of a well-formed request the
    service turns down (409): they too must write nothing."""
    before = snapshot(app)
    response = client.post(url + ("&" if "?" in url else "?") + "lang=fr", data=form(data))
    status = response.status_code
    assert status in (*ok, *refused, 400, 413), (url, status)
    if status in ok:
        return response
    if status in refused:
        assert snapshot(app) == before, f"{url} wrote although it answered {status}"
        return response
    assert snapshot(app) == before, f"{url} wrote although it answered {status}"
    html = response.data.decode()
    assert 'lang="fr"' in html, url
    page = Page(html)
    errors = [
        data.strip()
        for data, stack in page.texts
        if stack and "error" in stack[-1][1].get("class", "").split() and data.strip()
    ]
    if status == 413:
        assert french()["Too large"] in html
        return response
    assert errors, f"{url}: 400 without an error message"
    untranslated = [text for text in errors if french().get(text, text) != text]
    assert untranslated == [], url
    if keep is not None:
        assert keep in page.text or keep in page.attribute_values(), (url, keep)
    return response


@pytest.fixture
def world(app, factory):
    world = build_world(factory)
    clients = {}
    for role, user in world["users"].items():
        clients[role] = app.test_client()
        login(clients[role], user)
    world["clients"] = clients
    return world


def test_sign_in_and_password_forms(app, world):
    anonymous, staff = app.test_client(), world["clients"]["monitor"]

    @FUZZ
    @given(email=st.one_of(typed, anything), password=anything)
    def sign_in(email, password):
        keep = email if isinstance(email, str) and email in typed_ok(email, 254) else None
        check(app, anonymous, "/login", {"email": email, "password": password}, ok=(401,),
              keep=keep)  # fmt: skip

    @FUZZ
    @given(current=anything, new=anything, confirm=anything, locale=anything)
    def account(current, new, confirm, locale):
        check(app, staff, "/account", {"pw-current_password": current, "pw-new_password": new,
                                       "pw-confirm": confirm}, ok=())  # fmt: skip
        check(app, staff, "/account", {"lang-locale": locale}, ok=(302,))

    sign_in()
    account()


def test_a_nul_character_means_the_same_on_every_database(app, world):
    """PostgreSQL refuses NUL in text (a 500 once, found by the sign-in fuzzing above on CI);
    SQLite keeps it. The request drops it, so both databases see the same input."""
    anonymous, compliance = app.test_client(), world["clients"]["compliance"]
    response = anonymous.post("/login", data={"email": "no\x00body@example.com", "password": "x"})
    assert response.status_code == 401
    assert "nobody@example.com" in response.text and "\x00" not in response.text
    assert anonymous.get("/s?code=%00").status_code == 400
    assert anonymous.get(f"/s?code={world['code']}%00").status_code == 302
    for path in ("/s/%00", f"/s/{world['code']}%00", f"/s/{world['code']}%00/report"):
        assert anonymous.get(path).status_code == 404, path
    receipt = anonymous.post("/follow-up", data={"receipt": "1234\x00 5678"})
    assert receipt.status_code in (400, 404) and 'class="error"' in receipt.text
    assert compliance.get("/cases?category=%00&status=%00&site=%00&q=%00").status_code == 200

    created = compliance.post("/suppliers/new", data={"name": "Nul\x00 Textiles", "country": "BD"})
    assert created.status_code == 302
    from portal.extensions import db
    from portal.suppliers.models import Supplier

    with app.app_context():
        names = db.session.scalars(db.select(Supplier.name)).all()
    assert "Nul Textiles" in names


def test_numbers_past_a_database_integer_are_ignored(app, world):
    """A page or id past 2**31 - 1 (or 2**63 - 1) made PostgreSQL raise "out of range" (a 500
    found by the query fuzzing below); SQLite compared it quietly. Both now ignore it."""
    compliance = world["clients"]["compliance"]
    huge = "9" * 25
    for path in (f"/cases?page={huge}&site={huge}&supplier=2147483648",
                 f"/sites?page={huge}&supplier={huge}", "/sites?page=-3",
                 f"/dashboard?supplier={huge}", f"/dashboard/heatmap?supplier={huge}",
                 f"/sites/new?supplier={huge}"):  # fmt: skip
        assert compliance.get(path).status_code == 200, path
    assert compliance.get("/sites?page=2147483647").status_code == 404  # past the last page


def typed_ok(text: str, limit: int) -> set[str]:
    """The text when a form would show it back unchanged (short enough, printable)."""
    return {text} if 0 < len(text) <= limit and text.isprintable() else set()


def test_supplier_site_campaign_and_admin_forms(app, world):
    compliance, admin = world["clients"]["compliance"], world["clients"]["admin"]

    @FUZZ
    @given(name=typed, country=anything, contact=anything, email=anything)
    def supplier(name, country, contact, email):
        check(app, compliance, "/suppliers/new", {"name": name, "country": country,
              "contact_name": contact, "contact_email": email}, ok=(302,), keep=name)  # fmt: skip

    @FUZZ
    @given(name=typed, supplier=anything, headcount=anything, languages=anything, sector=anything)
    def site(name, supplier, headcount, languages, sector):
        data = {"name": name, "supplier_id": supplier, "country": "BD", "sector": sector,
                "headcount": headcount, "languages": languages}  # fmt: skip
        check(app, compliance, f"/sites/{world['site_id']}/edit", data, ok=(302,), keep=name)

    @FUZZ
    @given(name=typed, version=anything, group=anything, opens=anything, sites=anything,
           languages=anything)  # fmt: skip
    def campaign(name, version, group, opens, sites, languages):
        data = {"name": name, "survey_version_id": version, "stakeholder_group": group,
                "opens_on": opens, "closes_on": opens, "site_ids": sites,
                "languages": languages}  # fmt: skip
        check(app, compliance, "/campaigns/new", data, ok=(302,), keep=name)

    @FUZZ
    @given(email=anything, name=typed, role=anything, supplier=anything, sites=anything,
           locale=anything, password=anything)  # fmt: skip
    def user(email, name, role, supplier, sites, locale, password):
        data = {"email": email, "name": name, "role": role, "supplier_id": supplier,
                "site_ids": sites, "locale": locale, "password": password}  # fmt: skip
        check(app, admin, "/users/new", data, ok=(302,), keep=name)
        check(app, admin, "/settings", {"organisation_name": role}, ok=(302,))

    supplier()
    site()
    campaign()
    user()


def test_survey_screens(app, world):
    worker = app.test_client()
    base = f"/s/{world['code']}/survey/{world['campaign_id']}"
    assert worker.post(base).status_code == 302
    names = ["id_access", "problems", "hours", "refuse", "fees_detail", "pay", "safety",
             "started", "done"]  # fmt: skip

    @FUZZ
    @given(number=st.integers(-1, 12), values=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(names, anything)))  # fmt: skip
    def screen(number, values):
        before = snapshot(app)
        response = worker.post(f"{base}/q/{number}?lang=fr", data=form(values))
        assert response.status_code in (302, 400, 404, 413), response.status_code
        # Answers stay in the session until the respondent sends them from the last page.
        assert snapshot(app) == before
        if response.status_code == 400:
            assert 'class="error"' in response.text and 'lang="fr"' in response.text

    screen()
    finish = worker.post(f"{base}/finish", data={"k": "not the key"})
    assert finish.status_code in (302, 400)


def test_anonymous_channel_forms(app, world):
    from portal.grievances import services

    with app.app_context():
        _case, receipt = services.create_grievance(services.IntakeData(
            reporter="worker", category="wages", language="en", site_id=world["site_id"],
            description="Overtime is not paid at the legal rate.",
        ))  # fmt: skip
    reporter = app.test_client()
    site = f"/s/{world['code']}"

    @FUZZ
    @given(description=typed, when=anything, where=anything, others=anything, wants=anything,
           contact=anything, category=anything)  # fmt: skip
    def intake(description, when, where, others, wants, contact, category):
        data = {"who": "worker", "category": category, "description": description,
                "occurred_when": when, "occurred_where": where, "others_affected": others,
                "wants_contact": wants, "contact": contact}  # fmt: skip
        check(app, reporter, f"{site}/report", data, ok=(302,),
              keep=clean_text(description, 10_000) or None)  # fmt: skip

    @FUZZ
    @given(number=anything, message=typed, satisfaction=anything)
    def follow_up(number, message, satisfaction):
        lookup = reporter.post(f"{site}/follow-up?lang=fr", data=form({"receipt": number}))
        assert lookup.status_code in (400, 404, 413)
        check(app, reporter, "/follow-up/reply", {"receipt": receipt, "message": message},
              ok=(200,))  # fmt: skip
        feedback = reporter.post(
            "/follow-up/feedback", data=form({"receipt": receipt, "satisfaction": satisfaction})
        )
        assert feedback.status_code in (400, 409, 413)  # the case is not resolved yet

    intake()
    follow_up()


def test_case_actions(app, world):
    compliance = world["clients"]["compliance"]
    case = f"/cases/{world['case_id']}"

    @FUZZ
    @given(status=anything, reason=anything, duplicate=anything, severity=anything,
           indicators=anything, site=anything, assignee=anything, body=anything)  # fmt: skip
    def actions(status, reason, duplicate, severity, indicators, site, assignee, body):
        check(
            app,
            compliance,
            f"{case}/status",
            {"status": status, "reason": reason, "duplicate_of": duplicate},
            ok=(302,),
        )
        check(
            app,
            compliance,
            f"{case}/triage",
            {"severity": severity, "indicators": indicators, "site_id": site},
            ok=(302,),
        )
        check(app, compliance, f"{case}/assign", {"assignee_id": assignee}, ok=(302,))
        check(app, compliance, f"{case}/note", {"note-body": body}, ok=(302,))
        check(app, compliance, f"{case}/reply", {"reply-body": body}, ok=(302,))  # fmt: skip

    actions()


def test_saq_sections(app, world):
    supplier = world["clients"]["supplier"]
    base = f"/saq/{world['saq_campaign_id']}/{world['site_id']}"

    @FUZZ
    @given(number=st.integers(-1, 3), fees=anything, workers=anything, notes=anything,
           data=st.binary(max_size=64), filename=st.text(max_size=300),
           action=anything)  # fmt: skip
    def section(number, fees, workers, notes, data, filename, action):
        fields = {"fees": fees, "workers": workers, "notes": notes, "action": action,
                  "policy": (BytesIO(data), filename)}  # fmt: skip
        response = supplier.post(f"{base}/section/{number}?lang=fr", data=form(fields))
        assert response.status_code in (302, 400, 404, 413), response.status_code
        if response.status_code == 400:
            assert 'class="error"' in response.text and 'lang="fr"' in response.text

    section()


def test_plan_forms(app, world):
    compliance, supplier = world["clients"]["compliance"], world["clients"]["supplier"]
    cap, action = f"/caps/{world['cap_id']}", world["action_id"]

    @FUZZ
    @given(site=anything, indicator=anything, title=anything, severity=anything, due=anything,
           text=anything, amount=anything, currency=anything, workers=anything,
           choice=anything, number=anything)  # fmt: skip
    def plans(
        site, indicator, title, severity, due, text, amount, currency, workers, choice, number
    ):
        check(
            app,
            compliance,
            "/caps/new",
            {
                "site_id": site,
                "indicator": indicator,
                "title": title,
                "severity": severity,
                "due_on": due,
                "summary": text,
            },
            ok=(302,),
        )
        check(
            app,
            compliance,
            f"{cap}/edit",
            {
                "title": title,
                "severity": severity,
                "due_on": due,
                "remedy_amount": amount,
                "remedy_currency": currency,
                "remedy_workers": workers,
            },
            ok=(302,),
            refused=(409,),
        )
        check(app, supplier, f"{cap}/root-cause", {"root-body": text}, ok=(302,), refused=(409,))
        check(
            app,
            supplier,
            f"{cap}/actions",
            {
                "action-owner_kind": choice,
                "action-owner_name": title,
                "action-description": text,
                "action-due_on": due,
            },
            ok=(302,),
            refused=(409,),
        )
        check(
            app,
            compliance,
            f"{cap}/actions/{action}/review",
            {f"review-{action}-decision": choice, f"review-{action}-comment": text},
            ok=(302,),
            refused=(409,),
        )
        check(
            app,
            compliance,
            f"{cap}/status",
            {"status": choice, "note": text},
            ok=(302,),
            refused=(409,),
        )
        check(
            app,
            supplier,
            f"{cap}/extensions",
            {"action_id": number, "requested_due_on": due, "reason": text},
            ok=(302,),
            refused=(409,),
        )
        check(app, supplier, f"{cap}/notes", {"note-body": text}, ok=(302,), refused=(409,))
        check(app, supplier, f"{cap}/evidence", {"kind": choice, "action_id": number,
              "file": Upload(b"%PDF-1.4 x")}, ok=(302,), refused=(409,))  # fmt: skip

    plans()


GET_PARAMETERS = {
    "/": ["lang"],
    "/s": ["code", "lang"],
    "/sites": ["page", "q", "country", "sector", "supplier", "lang"],
    "/cases": ["page", "status", "severity", "category", "site", "supplier", "overdue", "mine"],
    "/dashboard": ["period", "group", "country", "supplier", "sector", "lang"],
    "/dashboard/heatmap": ["period", "group", "country", "supplier", "sector"],
    "/dashboard/indicators/FL03": ["period", "group", "country", "supplier", "sector"],
    "/exports/signals.csv": ["period", "free_text"],
    "/exports/wide": ["version", "fmt", "labels", "language", "free_text", "lang"],
    "/exports/wide/1.parquet": ["labels", "language", "free_text"],
    "/campaigns/new": ["lang"],
    "/caps": ["page", "supplier", "site", "indicator", "status", "overdue", "pending", "lang"],
    "/caps/new": ["site", "group", "indicator", "period", "case", "response", "question"],
    "/engagement/matrix": ["period", "country", "supplier", "site", "lang"],
    "/engagement": [
        "kind",
        "group",
        "area",
        "site",
        "supplier",
        "country",
        "partner",
        "from",
        "to",
        "page",
    ],
    "/engagement/plan": ["year"],
    "/engagement/activities/new": ["site"],
    "/reports/effectiveness": ["period_start", "period_end", "lang"],
    "/reports/benchmark.csv": ["period_start", "period_end"],
    "/surveys/upload": ["lang"],
}


def test_engagement_forms(app, world):
    compliance = world["clients"]["compliance"]
    consultation, theme = world["consultation_id"], world["theme_id"]
    code = world["code"]
    public = app.test_client()

    @FUZZ
    @given(kind=anything, title=anything, day=anything, group=anything, area=anything,
           site=anything, number=anything, text=anything)  # fmt: skip
    def engagement(kind, title, day, group, area, site, number, text):
        check(app, compliance, "/engagement/activities/new", {
            "kind": kind, "title": title, "held_on": day, "groups": group, "areas": area,
            "sites": site, "countries": text, "people_workers_total": number,
            "people_workers_women": number, "summary": text,
        }, ok=(302,))  # fmt: skip
        check(app, compliance, "/engagement/partners/new", {
            "name": title, "kind": kind, "stakeholder_group": group, "countries": text,
            "members": number, "sites": site,
        }, ok=(302,))  # fmt: skip
        check(app, compliance, "/engagement/plan", {
            "year": number, "stakeholder_group": group, "area": area, "kind": kind,
            "count": number, "supplier": site, "due_on": day,
        }, ok=(302,), refused=(409,))  # fmt: skip
        check(app, compliance, "/engagement/consultations/new", {
            "document_kind": kind, "groups": group, "sites": site, "languages": area,
            "opens_on": day, "closes_on": day, "title_en": title, "body_en": text,
        }, ok=(302,))  # fmt: skip
        check(app, compliance, f"/engagement/consultations/{consultation}/themes",
              {"theme-title": title}, ok=(302,), refused=(409,))  # fmt: skip
        check(app, compliance, f"/engagement/consultations/{consultation}/themes/{theme}",
              {f"respond-{theme}-response": text}, ok=(302,), refused=(409,))  # fmt: skip
        check(app, compliance, f"/engagement/consultations/{consultation}/status",
              {"status-status": kind}, ok=(302,), refused=(409,))  # fmt: skip
        check(app, public, f"/s/{code}/consultations/{consultation}",
              {"group": group, "comment": text}, ok=(302,), refused=(404,))  # fmt: skip

    engagement()


def test_report_forms(app, world):
    compliance = world["clients"]["compliance"]
    report, comment = world["report_id"], world["report_comment_id"]

    @FUZZ
    @given(day=anything, other=anything, language=anything, title=anything, text=anything,
           supplier=anything, section=anything)  # fmt: skip
    def reports(day, other, language, title, text, supplier, section):
        check(app, compliance, "/reports/new", {
            "period_start": day, "period_end": other, "languages": language,
            "title_en": title, "scope_en": text, "title_ar": title,
        }, ok=(302,))  # fmt: skip
        check(app, compliance, f"/reports/{report}/comments/{comment}", {"answer": text},
              ok=(302,))  # fmt: skip
        check(app, compliance, "/reports/packs", {
            "supplier": supplier, "period_start": day, "period_end": other,
        }, ok=(302,))  # fmt: skip
        check(app, world["clients"]["monitor"], f"/reports/{report}/comments",
              {"section": section, "body": text}, ok=(), refused=(404,))  # fmt: skip

    reports()

    @FUZZ
    @given(content=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
    def benchmark(content):
        before = snapshot(app)
        response = compliance.post("/reports/benchmark?lang=fr",
                                   data={"file": (BytesIO(content), "b.csv")})  # fmt: skip
        assert response.status_code == 400 and snapshot(app) == before
        assert 'class="error' in response.data.decode()

    benchmark()


def test_survey_library_upload(app, world):
    """Any bytes under any form name, with any settings: a located 400, never a 500, and
    nothing stored."""
    compliance = world["clients"]["compliance"]
    names = st.sampled_from(["f.xlsx", "f.xls", "f.csv", "f.md", "f.yaml", "f.txt", "f"])
    content = st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=200).map(lambda tail: b"\xd0\xcf\x11\xe0" + tail),
    )

    @FUZZ
    @given(content=content, name=names, audience=anything, area=anything, choice=content)
    def library_upload(content, name, audience, area, choice):
        before = snapshot(app)
        response = compliance.post("/surveys/upload?lang=fr", data={
            "form_file": (BytesIO(content), name), "audience": audience, "areas": area,
            "attachments": (BytesIO(choice), "c.csv"),
        })  # fmt: skip
        # 413: a huge text field takes the body past the upload cap.
        assert response.status_code in (400, 413) and snapshot(app) == before
        assert response.status_code == 413 or 'class="error' in response.data.decode()

    library_upload()


def test_query_parameters_never_crash(app, world):
    compliance = world["clients"]["compliance"]
    values = st.one_of(st.sampled_from(ODD), st.text(max_size=40), st.integers().map(str))

    @FUZZ
    @given(path=st.sampled_from(sorted(GET_PARAMETERS)), data=st.data())
    def query(path, data):
        names = GET_PARAMETERS[path]
        args = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=len(names)))
        response = compliance.get(path, query_string=args)
        assert response.status_code in (200, 400, 404), (path, args, response.status_code)

    query()


def test_what_the_fuzzing_found(app, world):
    """Regressions, each once a 500: a file sent for a text field (Flask-WTF handed it to the
    field, Length() raised), a JSON body (same path), a blank-looking language (Optional()
    cleared the choice error, the service then raised)."""
    compliance, staff = world["clients"]["compliance"], world["clients"]["monitor"]
    response = check(app, compliance, "/suppliers/new",
                     {"name": Upload(b"x"), "country": "BD"}, ok=())  # fmt: skip
    assert response.status_code == 400
    before = snapshot(app)
    response = app.test_client().post("/login", json={"email": 5, "password": ["x"]})
    assert response.status_code == 400 and snapshot(app) == before
    response = check(app, staff, "/account", {"lang-locale": " "}, ok=())
    assert french()["Choose a language from the list."] in response.text
