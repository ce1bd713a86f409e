"""The anonymous cookie on a worker's phone shows nothing readable (sealed, not only signed)."""

from __future__ import annotations

import base64
import re

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired

COOKIE = "portal_session"


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _readable(token: str) -> str:
    """Everything a person with the phone could decode from the cookie by hand."""
    text = []
    for part in re.split(r"[.]", token.removeprefix("v1.")):
        try:
            raw = base64.urlsafe_b64decode(part + "==")
        except ValueError:
            continue
        text.append(raw.decode("latin-1"))
    return " ".join(text)


STEPS = (
    {},
    {"id_access": "no", "problems": ["fees"]},
    {"hours": "70"},
    {"refuse": "no"},
    {"fees_detail": "Paid 900"},
    {"pay": "2"},
    {"safety": "4"},
    {"started": "2024-02-01"},
    {"done": "OK"},
)


def _answer_and_finish(client, site, campaign) -> None:
    url = client.post(f"/s/{site.code}/survey/{campaign.id}?lang=en").headers["Location"]
    for data in STEPS:
        url = client.post(url, data=data).headers["Location"]
    assert url.endswith("/finish")
    key = re.search(r'name="k" value="([0-9a-f]+)"', client.get(url).data.decode()).group(1)
    assert client.post(url, data={"k": key}).status_code == 302


def _readable_session(client) -> str:
    with client.session_transaction() as session:
        return repr(dict(session))


def test_a_finished_survey_leaves_no_readable_trace_in_the_cookie(app, client, deploy):
    campaign, (site,) = deploy()
    _answer_and_finish(client, site, campaign)
    token = _cookie(client)
    assert token.startswith("v1.")
    readable = _readable(token)
    for clue in ("surveys_done", "survey", f"[{campaign.id}]", "lang"):
        assert clue not in readable
    with pytest.raises(BadSignature):  # Flask's own reader (signed cookies) cannot open it
        SecureCookieSessionInterface().get_signing_serializer(app).loads(token)
    # The portal itself still knows this phone answered.
    start = client.get(f"/s/{site.code}/survey/{campaign.id}").data.decode()
    assert "already sent from this phone" in start


def test_answers_in_progress_are_sealed_too(client, deploy):
    campaign, (site,) = deploy()
    url = client.post(f"/s/{site.code}/survey/{campaign.id}").headers["Location"]
    url = client.post(url, data={}).headers["Location"]
    client.post(url, data={"id_access": "no", "problems": ["fees", "threats"]})
    readable = _readable(_cookie(client))
    assert "id_access" not in readable and "threats" not in readable


def test_a_changed_cookie_opens_an_empty_session(app, client, deploy):
    campaign, (site,) = deploy()
    client.post(f"/s/{site.code}/survey/{campaign.id}")
    token = _cookie(client)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    client.set_cookie(COOKIE, flipped)
    assert _readable_session(client) == "{}"


def test_a_signed_cookie_from_before_is_read_once_and_rewritten_sealed(app, client, deploy):
    campaign, (site,) = deploy()
    old = (
        SecureCookieSessionInterface()
        .get_signing_serializer(app)
        .dumps({"surveys_done": [campaign.id]})
    )
    client.set_cookie(COOKIE, old)
    page = client.get(f"/s/{site.code}/survey/{campaign.id}")
    assert "already sent from this phone" in page.data.decode()
    with client.session_transaction() as session:
        session["lang"] = "en"  # any write reseals the whole session
    assert _cookie(client).startswith("v1.")
    assert "surveys_done" not in _readable(_cookie(client))


def test_a_rotated_secret_key_still_opens_cookies_sealed_with_the_old_one(app, client, deploy):
    campaign, (site,) = deploy()
    _answer_and_finish(client, site, campaign)
    old_key, old_fallbacks = app.secret_key, app.config["SECRET_KEY_FALLBACKS"]
    try:
        app.secret_key = app.config["SECRET_KEY"] = "a new secret key for this test only"
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        start = client.get(f"/s/{site.code}/survey/{campaign.id}").data.decode()
        assert "already sent from this phone" in start
        app.config["SECRET_KEY_FALLBACKS"] = []
        start = client.get(f"/s/{site.code}/survey/{campaign.id}").data.decode()
        assert "already sent from this phone" not in start  # unknown key: a fresh session
    finally:
        app.secret_key = app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = old_fallbacks


def test_an_expired_seal_is_refused(app):
    sealer = app.session_interface.get_signing_serializer(app)
    token = sealer.dumps({"lang": "ar"})
    assert sealer.loads(token, max_age=60) == {"lang": "ar"}
    with pytest.raises(SignatureExpired):
        sealer.loads(token, max_age=-1)
