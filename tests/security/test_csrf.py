"""CSRF: every state-changing URL rule refuses a request without a token, and writes nothing.

An app built with CSRF switched on (the session app keeps it off so other tests can post
freely) walks ``app.url_map``: each rule accepting POST/PUT/PATCH/DELETE is sent, by a role
allowed to use it, a request that would succeed with a token (proved by sending it again with
one). A new state-changing route without an entry in ``VALID`` fails the test; a route that is
deliberately exempt from CSRF must be listed in ``EXEMPT`` with the reason.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

from portal.extensions import db
from tests.conftest import make_app
from tests.security.helpers import csrf_token, login_with_token, snapshot
from tests.surveys.conftest import utc_today
from tests.test_access_matrix import EXPECTED, build_world, rule_url

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "This form expired or was sent from elsewhere. Please try again."

#: endpoint → why it may change state without a token. Empty: nothing is exempt today.
EXEMPT: dict[str, str] = {}

#: Endpoints whose request in ``_valid`` writes to the database once the token is there.
WRITES = {
    "accounts.account", "accounts.user_new", "accounts.user_edit", "accounts.settings",
    "suppliers.supplier_new", "suppliers.supplier_edit", "suppliers.site_new",
    "suppliers.site_edit", "surveys.campaign_new", "surveys.campaign_close",
    "surveys.saq_section", "surveys.saq_review", "surveys.saq_submission",
    "grievances.submit", "grievances.reply", "grievances.case_status", "grievances.case_triage",
    "grievances.case_assign", "grievances.case_note", "grievances.case_reply",
    "remediation.new", "remediation.edit", "remediation.add_finding", "remediation.change_status",
    "remediation.verifiers", "remediation.root_cause", "remediation.review_root_cause",
    "remediation.add_action", "remediation.review_action", "remediation.request_extension",
    "remediation.decide_extension", "remediation.add_note",
    "engagement.activity_new", "engagement.activity_edit", "engagement.activity_delete",
    "engagement.partner_new", "engagement.partner_edit", "engagement.plan_page",
    "engagement.consultation_new", "engagement.consultation_edit",
    "engagement.consultation_status", "engagement.consultation_theme",
    "engagement.consultation_file", "engagement.consultation_respond",
    "engagement.consultation_comment", "engagement.comment",
    "reports.new", "reports.edit", "reports.publish", "reports.answer", "reports.pack_new",
    "surveys.survey_archive", "surveys.upload_publish",
}  # fmt: skip

#: Who sends each request: anonymous where the public may, else the first allowed staff role.
ROLE_ORDER = ("anonymous", "compliance", "supplier", "monitor", "admin")


def _valid(world) -> dict[str, dict]:
    """A request body per endpoint that the view accepts when the token is present."""
    today = utc_today()
    receipt = world["receipt"]
    return {
        "accounts.login": {"email": world["users"]["monitor"].email, "password": "wrong pw!!"},
        "accounts.logout": {},
        "accounts.account": {"lang-locale": "fr"},
        "accounts.user_new": {
            "email": "csrf-new@test.example", "name": "New", "role": "compliance",
            "supplier_id": "0", "locale": "", "active": "y",
            "password": "a long enough password",
        },
        "accounts.user_edit": {
            "email": world["users"]["compliance"].email, "name": "Renamed", "role": "compliance",
            "supplier_id": "0", "locale": "", "active": "y",
        },
        "accounts.settings": {"organisation_name": "Renamed organisation"},
        "suppliers.supplier_new": {"name": "CSRF Supplier", "country": "BD"},
        "suppliers.supplier_edit": {"name": "Matrix Supplier 2", "country": "BD"},
        "suppliers.site_new": {
            "supplier_id": str(world["supplier_id"]), "name": "CSRF Site", "country": "BD",
            "sector": "apparel", "headcount": "10", "languages": "en",
        },
        "suppliers.site_edit": {
            "supplier_id": str(world["supplier_id"]), "name": "Matrix Site 2", "country": "BD",
            "sector": "apparel", "headcount": "11", "languages": "en",
        },
        "surveys.start": {},
        "surveys.screen": {"id_access": "yes"},
        "surveys.finish": {"k": "stale"},
        "surveys.campaign_new": {
            "name": "CSRF campaign", "survey_version_id": str(world["survey_version_id"]),
            "stakeholder_group": "workers", "site_ids": str(world["site_id"]),
            "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=3)).isoformat(),
            "languages": "en",
        },
        "surveys.campaign_close": {},
        "surveys.saq_section": {"fees": "no", "workers": "12", "action": "stay"},
        "surveys.saq_review": {},
        "surveys.saq_evidence_delete": {},
        "surveys.saq_submission": {"decision": "return", "comment": "Please attach more."},
        "grievances.submit": {
            "who": "worker", "category": "wages", "reported_place": "Blue Star, Ashulia",
            "description": "Wages are paid late every month.",
        },
        "grievances.follow_up": {"receipt": receipt},
        "grievances.reply": {"receipt": receipt, "message": "Still not paid."},
        "grievances.feedback": {"receipt": receipt, "satisfaction": "partly"},
        "grievances.case_status": {"status": "acknowledged"},
        "grievances.case_triage": {"severity": "high", "site_id": str(world["site_id"])},
        "grievances.case_assign": {"assignee_id": "0"},
        "grievances.case_note": {"note-body": "An internal note."},
        "grievances.case_reply": {"reply-body": "We are looking into it."},
        "grievances.case_contact": {},
        **_remediation(world, today),
        **_engagement(world, today),
        **_reports(world, today),
        **_library(),
    }  # fmt: skip


def _engagement(world, today) -> dict[str, dict]:
    """Engagement requests (the records are tests/engagement/access.py's world). Uploads,
    feedback, publication and target removal are sent too but write nothing there (no file, a
    meeting is no training, the consultation is still open, the form token is the prefixed
    one): their writes are tested in tests/engagement."""
    site = str(world["site_id"])
    activity = {"kind": "meeting", "title": "CSRF meeting", "held_on": today.isoformat(),
                "groups": ["workers"], "areas": ["communication"], "sites": [site]}  # fmt: skip
    draft = {"document_kind": "policy", "groups": ["workers"], "sites": [site],
             "languages": ["en"], "opens_on": today.isoformat(),
             "closes_on": (today + timedelta(days=9)).isoformat(), "title_en": "CSRF policy",
             "body_en": "Draft."}  # fmt: skip
    theme = world["theme_id"]
    return {
        "engagement.activity_new": activity,
        "engagement.activity_edit": {**activity, "title": "CSRF visit"},
        "engagement.activity_delete": {"delete-confirm": "y"},
        "engagement.activity_upload": {},
        "engagement.activity_feedback": {},
        "engagement.partner_new": {"name": "CSRF Union", "kind": "union",
                                   "stakeholder_group": "workers", "active": "y"},
        "engagement.partner_edit": {"name": "Matrix Union 2", "kind": "union",
                                    "stakeholder_group": "workers"},
        "engagement.plan_page": {"year": str(today.year), "stakeholder_group": "ngos",
                                 "area": "training", "kind": "any", "count": "1",
                                 "supplier": "0"},
        "engagement.target_delete": {},
        "engagement.consultation_new": draft,
        "engagement.consultation_edit": {**draft, "groups": ["workers", "suppliers", "ngos"],
                                         "title_en": "Edited"},
        "engagement.consultation_status": {"status-status": "closed"},
        "engagement.consultation_theme": {"theme-title": "CSRF theme"},
        "engagement.consultation_file": {"file-theme": str(theme)},
        "engagement.consultation_respond": {f"respond-{theme}-response": "We will."},
        "engagement.consultation_publish": {},
        "engagement.consultation_comment": {"comment-comment": "Signed", "comment-site": "0"},
        "engagement.comment": {"group": "workers", "comment": "An anonymous comment"},
    }  # fmt: skip


def _remediation(world, today) -> dict[str, dict]:
    """Plan requests (the plans are tests/remediation/access.py's world). Progress, pulse,
    revision and uploads are sent too but write nothing in that world (a draft plan, an action
    not returned; a file field cannot be sent twice): their writes are tested in
    tests/remediation."""
    due = (today + timedelta(days=90)).isoformat()
    action, extension = world["action_id"], world["extension_id"]
    return {
        "remediation.new": {"site_id": str(world["site_id"]), "indicator": "FL03",
                            "title": "CSRF plan", "severity": "major", "due_on": due},
        "remediation.edit": {"title": "Matrix plan 2", "severity": "critical", "due_on": due},
        "remediation.add_finding": {"indicator": "FL05", "stakeholder_group": "workers"},
        "remediation.change_status": {"status": "closed_unverified", "note": "Site closed."},
        "remediation.verifiers": {},
        "remediation.start_pulse": {},
        "remediation.root_cause": {"root-body": "No lockers."},
        "remediation.review_root_cause": {"review-decision": "accept"},
        "remediation.add_action": {"action-owner_kind": "buyer", "action-due_on": due,
                                   "action-description": "Pay for lockers."},
        "remediation.review_action": {f"review-{action}-decision": "accept"},
        "remediation.revise_action": {f"revise-{action}-owner_kind": "supplier",
                                      f"revise-{action}-due_on": due,
                                      f"revise-{action}-description": "Lockers."},
        "remediation.progress": {f"progress-{action}-status": "in_progress"},
        "remediation.add_evidence": {"kind": "other", "action_id": "0"},
        "remediation.request_extension": {"action_id": str(action), "requested_due_on": due,
                                          "reason": "The lockers arrive late."},
        "remediation.decide_extension": {f"extension-{extension}-decision": "accept"},
        "remediation.add_note": {"note-body": "Visited the site."},
    }  # fmt: skip


def _reports(world, today) -> dict[str, dict]:
    """Report requests (tests/reports/access.py's world). The world's monitor has no partner,
    so its comment is refused (404) and writes nothing; a file field cannot be sent twice, so
    the benchmark import writes nothing here: both are tested in tests/reports."""
    period = {"period_start": (today - timedelta(days=90)).isoformat(),
              "period_end": today.isoformat()}  # fmt: skip
    report = {**period, "languages": ["en"], "title_en": "CSRF report"}
    return {
        "reports.new": report,
        "reports.edit": {**report, "title_en": "Matrix report 2"},
        "reports.publish": {},
        "reports.comment": {"section": "general", "body": "Check the totals."},
        "reports.answer": {"answer": "Checked."},
        "reports.pack_new": {**period, "supplier": ""},
        "reports.benchmark_import": {},
    }


def _library() -> dict[str, dict]:
    """Survey library requests. A file field cannot be sent twice, so the upload writes
    nothing here (tests/surveys/test_library.py uploads); previews keep answers in the session
    only."""
    return {
        "surveys.survey_upload": {},
        "surveys.upload_publish": {},
        "surveys.upload_discard": {},
        "surveys.survey_archive": {"archived": "1"},
        "surveys.preview_screen": {"id_access": "yes"},
    }


@pytest.fixture(scope="module")
def csrf_app(database_uri, ratelimit_prefix, tmp_path_factory):
    """A second app on the same database, built with CSRF protection on, as in production."""
    app = make_app(
        database_uri,
        ratelimit_prefix,
        tmp_path_factory.mktemp("csrf"),
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        REPORTS_PACK_IN_BACKGROUND=False,
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_world(app, factory):
    from portal.grievances import services
    from portal.surveys.models import Campaign

    world = build_world(factory)
    with app.app_context():
        # A case whose receipt we know, so the receipt routes act on a real case.
        _grievance, receipt = services.create_grievance(
            services.IntakeData(
                reporter="worker", category="wages", language="en", site_id=world["site_id"],
                description="Overtime is not paid at the legal rate.",
            )
        )  # fmt: skip
        world["receipt"] = receipt
        world["survey_version_id"] = db.session.get(
            Campaign, world["campaign_id"]
        ).survey_version_id
        db.session.remove()
    return world


def _rules(app):
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods & STATE_CHANGING)
        if methods:
            yield rule, methods


def test_every_state_change_needs_a_csrf_token(app, csrf_app, csrf_world):
    world = csrf_world
    valid = _valid(world)
    rules = sorted(_rules(csrf_app), key=lambda item: item[0].endpoint == "accounts.logout")
    endpoints = {rule.endpoint for rule, _methods in rules}
    assert endpoints - valid.keys() - EXEMPT.keys() == set(), "new state-changing route"
    assert valid.keys() - endpoints == set(), "remove routes that no longer exist"

    clients = {"anonymous": csrf_app.test_client()}
    for role, user in world["users"].items():
        clients[role] = csrf_app.test_client()
        login_with_token(clients[role], user)
    # Flask-WTF keeps one token per session: the sign-out form of any staff page carries it.
    tokens = {
        role: csrf_token(client, "/login" if role == "anonymous" else "/home")
        for role, client in clients.items()
    }

    languages = ["ar", "fr", "bn", "zh_Hans"]
    wrong, checked, wrote = [], 0, set()
    for index, (rule, methods) in enumerate(rules):
        if rule.endpoint in EXEMPT:
            continue
        role = next(role for role in ROLE_ORDER if role in EXPECTED[rule.endpoint])
        client = clients[role]
        url = rule_url(csrf_app, rule, world)
        lang = languages[index % len(languages)]
        for method in methods:
            before = snapshot(app)
            refused = client.open(f"{url}?lang={lang}", method=method, data=valid[rule.endpoint])
            after = snapshot(app)
            checked += 1
            with csrf_app.test_request_context(), force_locale(lang):
                message = gettext(CSRF_MESSAGE)
            if refused.status_code != 400 or message not in refused.data.decode():
                wrong.append(f"{role} {method} {url}: {refused.status_code} without a token")
            changed = [name for name in before if before[name] != after[name]]
            if changed:
                wrong.append(f"{role} {method} {url} changed {changed} without a token")
            # The same request with the session's token gets past the CSRF check: the token
            # was the only thing missing, so the refusal above was CSRF and nothing else.
            data = {**valid[rule.endpoint], "csrf_token": tokens[role]}
            accepted = client.open(url, method=method, data=data)
            if snapshot(app) != after:
                wrote.add(rule.endpoint)
            if accepted.status_code >= 500 or CSRF_MESSAGE in accepted.data.decode():
                wrong.append(f"{role} {method} {url}: {accepted.status_code} with the token")
    assert wrong == []
    assert checked >= len(valid)
    # The bodies are real: with the token these requests do write.
    assert WRITES - wrote == set()


def test_a_token_from_another_session_is_refused(app, csrf_app, factory):
    """A token is bound to its session: one lifted from an attacker's own session fails."""
    user = factory.user("admin")
    victim, attacker = csrf_app.test_client(), csrf_app.test_client()
    login_with_token(victim, user)
    foreign = csrf_token(attacker)
    before = snapshot(app)
    response = victim.post(
        "/settings", data={"organisation_name": "Hijacked", "csrf_token": foreign}
    )
    assert response.status_code == 400 and CSRF_MESSAGE in response.data.decode()
    assert snapshot(app) == before
    own = victim.post(
        "/settings",
        data={"organisation_name": "Renamed", "csrf_token": csrf_token(victim, "/home")},
    )
    assert own.status_code == 302
    assert snapshot(app) != before
