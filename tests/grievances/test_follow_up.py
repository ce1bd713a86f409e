"""Receipt → follow-up → staff reply and status change → the reporter sees them, and nothing
stored or logged points back to the reporter."""

from __future__ import annotations

import logging

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select, text

from portal.extensions import db
from portal.grievances import receipts
from portal.grievances.labels import REPORTER_STATUS
from portal.grievances.models import GrievanceMessage
from tests.factories import login
from tests.grievances.helpers import (
    CLIENT_ADDRESS,
    ENVIRON,
    HEADERS,
    USER_AGENT,
    latest_case,
    lookups_from_many_addresses,
    report,
)


@pytest.fixture
def site(factory):
    return factory.site(factory.supplier("Amman Apparel", "JO"), "Sahab Plant", languages=["ar"])


def _follow(client, receipt, lang=None):
    url = "/follow-up" + (f"?lang={lang}" if lang else "")
    return client.post(url, data={"receipt": receipt}, environ_base=ENVIRON, headers=HEADERS)


def _translated(app, lang, message):
    with app.test_request_context(), force_locale(lang):
        return gettext(message)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_reporter_and_staff_exchange(app, client, factory, site, lang):
    description = "لم ندفع أجورنا منذ شهرين" if lang == "ar" else "No wages for two months."
    receipt = report(client, code=site.code, lang=lang, description=description)
    case = latest_case(app)
    assert case.language == lang

    reporter = app.test_client()  # a fresh phone: no session, only the receipt
    page = _follow(reporter, receipt)
    assert page.status_code == 200
    html = page.data.decode()
    assert f'lang="{lang}"' in html  # rendered in the reporter's language
    assert _translated(app, lang, str(REPORTER_STATUS["new"]._args[0])) in html
    assert description in html
    assert receipt.replace(" ", "") not in page.request.url

    sent = reporter.post(
        "/follow-up/reply",
        data={"receipt": receipt, "message": "The supervisor also shouts at us."},
        environ_base=ENVIRON,
        headers=HEADERS,
    )
    assert sent.status_code == 200 and "The supervisor also shouts at us." in sent.data.decode()
    again = reporter.post(  # reloading the page resends the form: stored once
        "/follow-up/reply",
        data={"receipt": receipt, "message": "The supervisor also shouts at us."},
    )
    assert again.status_code == 200

    staff = app.test_client()
    login(staff, factory.user("compliance", name="Case Handler"))
    case_page = staff.get(f"/cases/{case.id}?lang=en").data.decode()
    assert "The supervisor also shouts at us." in case_page
    staff.post(f"/cases/{case.id}/note", data={"note-body": "Call the site manager."})
    staff.post(f"/cases/{case.id}/reply", data={"reply-body": "We are looking into it."})
    staff.post(f"/cases/{case.id}/status", data={"status": "investigating"})

    html = _follow(reporter, receipt).data.decode()
    assert "We are looking into it." in html
    assert "Call the site manager." not in html  # internal notes stay internal
    assert _translated(app, lang, str(REPORTER_STATUS["investigating"]._args[0])) in html
    assert html.count("The supervisor also shouts at us.") == 1

    staff.post(f"/cases/{case.id}/status", data={"status": "resolved"})
    staff.post(f"/cases/{case.id}/status", data={"status": "closed"})
    html = _follow(reporter, receipt).data.decode()
    assert 'name="satisfaction"' in html
    answered = reporter.post(
        "/follow-up/feedback", data={"receipt": receipt, "satisfaction": "partly"}
    )
    assert answered.status_code == 200
    assert latest_case(app).satisfaction == "partly"


def test_typo_gets_check_the_number_and_unknown_gets_a_neutral_answer(app, client, site):
    receipt = report(client, code=site.code).replace(" ", "")
    typo = receipt[:5] + str((int(receipt[5]) + 1) % 10) + receipt[6:]
    response = _follow(client, typo, lang="en")
    assert response.status_code == 400 and "Check the number" in response.data.decode()
    assert typo in response.data.decode()  # what was typed is kept for correction
    swapped = receipt[:3] + receipt[4] + receipt[3] + receipt[5:]
    if swapped != receipt:
        assert _follow(client, swapped).status_code == 400
    unknown = receipts.new_receipt()
    response = _follow(client, unknown, lang="en")
    assert response.status_code == 404
    assert "We could not open a report with this number." in response.data.decode()
    assert _follow(client, "", lang="en").status_code == 400


def test_reply_with_a_bad_receipt_or_empty_message(client, site):
    receipt = report(client, code=site.code)
    response = client.post("/follow-up/reply?lang=en", data={"receipt": "1234", "message": "x"})
    assert response.status_code == 400 and "Check the number" in response.data.decode()
    response = client.post("/follow-up/reply?lang=en", data={"receipt": receipt, "message": " "})
    assert response.status_code == 400 and "Write your message." in response.data.decode()
    response = client.post(
        "/follow-up/feedback?lang=en", data={"receipt": receipt, "satisfaction": "partly"}
    )
    assert response.status_code == 409  # only after the case is resolved or closed


def test_guessing_receipts_is_rate_limited(limited_client, app):
    statuses = [
        _follow(limited_client, receipts.new_receipt(), lang="ar").status_code for _ in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[-1] == 429
    last = _follow(limited_client, receipts.new_receipt(), lang="ar")
    assert last.status_code == 429
    assert _translated(app, "ar", "Too many attempts") in last.data.decode()
    # Replies count against the same budget, so they cannot be used to guess faster.
    reply = limited_client.post(
        "/follow-up/reply", data={"receipt": receipts.new_receipt(), "message": "hi"},
        environ_base=ENVIRON,
    )  # fmt: skip
    assert reply.status_code == 429


def test_global_lookup_limit_applies_across_addresses(limited_client, app):
    statuses = lookups_from_many_addresses(app, limited_client, limit="5 per minute", count=7)
    assert statuses[:5] == [404] * 5 and statuses[-1] == 429


def test_intake_is_rate_limited(limited_client, site):
    data = {"who": "worker", "category": "wages", "description": "Wages are paid late again."}
    statuses = [
        limited_client.post(f"/s/{site.code}/report", data=data, environ_base=ENVIRON).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_nothing_stored_or_logged_points_back_to_the_reporter(app, client, factory, site, caplog):
    caplog.set_level(logging.DEBUG)
    receipts_shown = [
        report(client, code=site.code, wants_contact="y", contact="call me on Friday"),
        report(client, who="community", lang="ar"),
    ]
    for receipt in receipts_shown:
        _follow(client, receipt)
        client.post(
            "/follow-up/reply",
            data={"receipt": receipt, "message": "More details about the night shift."},
            environ_base=ENVIRON,
            headers=HEADERS,
        )
    staff = app.test_client()
    login(staff, factory.user("compliance"))
    case = latest_case(app)
    staff.post(f"/cases/{case.id}/reply", data={"reply-body": "Thank you."})
    staff.post(f"/cases/{case.id}/status", data={"status": "investigating"})

    forbidden = [CLIENT_ADDRESS, USER_AGENT, "GrievanceTestAgent"]
    for receipt in receipts_shown:
        forbidden += [receipt, receipt.replace(" ", ""), receipt.replace(" ", "-")]
    dump = []
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                dump.append(f"{table.name}: {tuple(row)!r}")
        if conn.dialect.name == "sqlite":  # also the raw table list, in case of stray tables
            names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))]
            assert not [name for name in names if "log" in name.lower()]
    everything = "\n".join(dump) + "\n" + caplog.text
    assert "grievances:" in everything  # the dump did include the cases
    for needle in forbidden:
        assert needle not in everything, needle
    with app.app_context():
        reporter_rows = db.session.scalars(
            select(GrievanceMessage).where(GrievanceMessage.author == "reporter")
        ).all()
        assert reporter_rows and all(row.created_at is None for row in reporter_rows)


def test_receipt_never_in_a_url_or_in_the_session_in_clear(app, client, site):
    response = client.post(
        f"/s/{site.code}/report",
        data={"who": "worker", "category": "wages", "description": "Wages are paid late again."},
    )
    location = response.headers["Location"]
    cookie = response.headers.get("Set-Cookie", "")
    page = client.get(location)
    receipt = page.data.decode().split('class="receipt-number" dir="ltr">')[1].split("<")[0]
    digits = receipt.replace(" ", "")
    assert digits not in location and digits not in cookie
    serializer = app.session_interface.get_signing_serializer(app)
    value = cookie.split("portal_session=")[1].split(";")[0]
    session = serializer.loads(value)
    assert digits not in repr(session)
    # The follow-up form posts; its page address carries no number.
    follow = client.post("/follow-up", data={"receipt": receipt})
    assert digits not in follow.request.url
