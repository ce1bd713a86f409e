"""Supplier self-assessment: save and resume over sittings, evidence uploads, review."""

from __future__ import annotations

import os
import re
import stat

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.surveys.models import Evidence, Response
from tests.factories import login

SAQ = {
    "form_id": "mini-saq", "version": "1", "title": {"en": "Self-assessment"},
    "audience": "suppliers", "areas": ["risk_assessment"], "default_language": "en",
    "languages": ["en"],
    "questions": [
        {"type": "begin group", "name": "labour", "appearance": "field-list",
         "label": {"en": "Labour"}},
        {"type": "select_one yn", "name": "fees", "required": True,
         "label": {"en": "Do workers pay recruitment fees?"},
         "risk": {"indicator": "FL02", "adverse": ["yes"]}},
        {"type": "integer", "name": "workers", "label": {"en": "How many workers?"},
         "constraint": ". > 0", "constraint_message": {"en": "More than zero."}},
        {"type": "end group"},
        {"type": "begin group", "name": "evidence", "appearance": "field-list",
         "label": {"en": "Evidence"}},
        {"type": "file", "name": "policy", "required": True,
         "label": {"en": "Recruitment fee policy"}, "hint": {"en": "PDF or PNG"}},
        {"type": "text", "name": "notes", "label": {"en": "Notes"}},
        {"type": "end group"},
    ],
    "choices": {"yn": [{"name": "yes", "label": {"en": "Yes"}},
                       {"name": "no", "label": {"en": "No"}}]},
}  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def saq(deploy, factory):
    supplier = factory.supplier("Own Supplier")
    site = factory.site(supplier, "Own Site", languages=["en"])
    other = factory.site(factory.supplier("Other Supplier"), "Other Site", languages=["en"])
    campaign, _ = deploy(SAQ, group="suppliers", sites=[site, other])
    user = factory.user("supplier", supplier=supplier)
    return campaign, site, other, user


def _section(campaign, site, number):
    return f"/saq/{campaign.id}/{site.id}/section/{number}"


def test_save_and_resume_across_sittings(app, client, saq):
    campaign, site, other, user = saq
    login(client, user)
    listing = client.get("/saq").data.decode()
    assert "Own Site" in listing and "Other Site" not in listing
    assert client.get(_section(campaign, other, 0)).status_code == 404
    # Partial save: a required question may stay empty until submission.
    saved = client.post(_section(campaign, site, 0), data={"workers": "250", "action": "stay"})
    assert saved.status_code == 302
    bad = client.post(_section(campaign, site, 0), data={"workers": "0", "fees": "no"})
    assert bad.status_code == 400 and "More than zero." in bad.data.decode()
    with app.app_context():
        response = db.session.scalar(select(Response))
        answers = {a.question: a.value for a in response.answers}
        assert response.status == "draft" and response.user_id == user.id
    assert answers == {"workers": "250", "fees": "no"}  # the valid answer was kept
    # A new sitting (fresh login) finds the answers again.
    client.post("/logout")
    login(client, user)
    page = client.get(_section(campaign, site, 0)).data.decode()
    assert re.search(r'value="no" checked', page) and 'value="250"' in page


def test_evidence_upload_checks_size_and_content(app, client, saq, factory):
    campaign, site, _other, user = saq
    login(client, user)
    url = _section(campaign, site, 1)
    from io import BytesIO

    empty = client.post(url, data={"policy": (BytesIO(b""), "x.pdf")})
    assert empty.status_code == 400 and "The file is empty." in empty.data.decode()
    huge = PDF + b"0" * (10 * 1024 * 1024)
    response = client.post(url, data={"policy": (BytesIO(huge), "policy.pdf")})
    assert response.status_code == 400 and "larger than 10 MB" in response.data.decode()
    response = client.post(url, data={"policy": (BytesIO(PNG), "policy.pdf")})
    assert "does not match its name" in response.data.decode()
    response = client.post(url, data={"policy": (BytesIO(b"MZ\x90\x00"), "setup.exe")})
    assert "Only PDF, JPEG or PNG files can be attached." in response.data.decode()
    with app.app_context():
        assert db.session.scalar(select(Evidence)) is None
    ok = client.post(url, data={"policy": (BytesIO(PDF), "Fee policy (2026).pdf"),
                                "notes": "Signed by HR"})  # fmt: skip
    assert ok.status_code == 302
    with app.app_context():
        evidence = db.session.scalar(select(Evidence))
        path = os.path.join(app.instance_path, "uploads", evidence.stored_name)
        assert evidence.content_type == "application/pdf" and evidence.filename.endswith(".pdf")
    with open(path, "rb") as stored:
        assert stored.read() == PDF
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    download = client.get(f"/saq/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Compliance may read it; another supplier and monitors may not.
    staff = app.test_client()
    login(staff, factory.user("compliance"))
    assert staff.get(f"/saq/evidence/{evidence.id}").status_code == 200
    stranger = app.test_client()
    login(stranger, factory.user("supplier"))
    assert stranger.get(f"/saq/evidence/{evidence.id}").status_code == 404
    monitor = app.test_client()
    login(monitor, factory.user("monitor", sites=[site]))
    assert monitor.get(f"/saq/evidence/{evidence.id}").status_code == 403
    # Removing the file deletes it from disk too.
    assert client.post(f"/saq/evidence/{evidence.id}/delete").status_code == 302
    assert not os.path.exists(path)


def test_submit_review_return_and_accept(app, client, saq, factory):
    from io import BytesIO

    campaign, site, _other, user = saq
    login(client, user)
    client.post(_section(campaign, site, 0), data={"fees": "no", "workers": "120"})
    review = f"/saq/{campaign.id}/{site.id}/submit"
    incomplete = client.post(review)
    assert incomplete.status_code == 400
    assert "Recruitment fee policy" in incomplete.data.decode()
    client.post(_section(campaign, site, 1), data={"policy": (BytesIO(PDF), "p.pdf")})
    assert client.post(review).status_code == 302
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.status == "submitted"
    # Submitted: no more edits until compliance returns it.
    assert client.post(_section(campaign, site, 0), data={"fees": "yes"}).status_code == 409
    staff = app.test_client()
    login(staff, factory.user("compliance"))
    page = staff.get(f"/saq/submissions/{response.id}").data.decode()
    assert "Do workers pay recruitment fees?" in page and "p.pdf" in page
    empty = staff.post(f"/saq/submissions/{response.id}", data={"decision": "return"})
    assert (
        empty.status_code == 400 and "Say what the supplier should change." in empty.data.decode()
    )
    staff.post(f"/saq/submissions/{response.id}",
               data={"decision": "return", "comment": "Attach the signed version."})  # fmt: skip
    page = client.get(_section(campaign, site, 0)).data.decode()
    assert "Attach the signed version." in page
    assert (
        client.post(_section(campaign, site, 0), data={"fees": "no", "workers": "130"}).status_code
        == 302
    )
    assert client.post(review).status_code == 302
    staff.post(f"/saq/submissions/{response.id}", data={"decision": "accept"})
    with app.app_context():
        assert db.session.get(Response, response.id).status == "accepted"
