"""The survey library: a compliance lead uploads, previews in Bengali and Arabic, publishes and
deploys a survey without a shell; errors are located and nothing is stored; versions are
immutable; downloads convert with pyxform; archiving hides a survey from new campaigns."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pyxform.xls2xform import convert
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.surveys.definitions import load_yaml, parse_definition
from portal.surveys.models import Campaign, Survey, SurveyUpload, SurveyVersion
from portal.surveys.xlsform import read_xlsform
from tests.factories import login
from tests.surveys.conftest import utc_today
from tests.surveys.forms import build

EN, BN, AR = "English (en)", "Bangla (bn)", "Arabic (ar)"


def pay_form(tmp_path: Path, version: str | None = "1", late_label="How many days late?") -> bytes:
    settings = [["form_id", "form_title", "default_language", "audience", "areas"]]
    settings.append(["pay-check", "Pay check", EN, "workers", "remediation"])
    if version is not None:
        settings[0].append("version")
        settings[1].append(version)
    sheets = {
        "survey": [
            ["type", "name", f"label::{EN}", f"label::{BN}", f"label::{AR}", "relevant"],
            ["start", "start", None, None, None, None],
            [
                "select_one yes_no",
                "on_time",
                "Were you paid on time?",
                "আপনি কি সময়মতো বেতন পেয়েছেন?",
                "هل تقاضيت أجرك في الوقت المحدد؟",
                None,
            ],
            [
                "integer",
                "days_late",
                late_label,
                "কত দিন দেরি?",
                "كم يوما تأخر؟",
                "${on_time} = 'no'",
            ],
            ["text", "comment", "Anything else?", "আর কিছু?", "هل من شيء آخر؟", None],
        ],
        "choices": [
            ["list_name", "name", f"label::{EN}", f"label::{BN}", f"label::{AR}"],
            ["yes_no", "yes", "Yes", "হ্যাঁ", "نعم"],
            ["yes_no", "no", "No", "না", "لا"],
        ],
        "settings": settings,
    }
    path = build.write(sheets, tmp_path / f"pay-{version}-{len(late_label)}.xlsx")
    return path.read_bytes()


def upload(client, data: bytes, name="pay.xlsx", attachments=(), **fields):
    form = {"form_file": (io.BytesIO(data), name), **fields}
    if attachments:
        form["attachments"] = [(io.BytesIO(body), file) for file, body in attachments]
    return client.post("/surveys/upload", data=form, content_type="multipart/form-data")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def lead(client, factory):
    user = factory.user("compliance")
    login(client, user)
    return user


def test_upload_preview_in_bengali_and_arabic_publish_and_deploy(app, client, factory, lead,
                                                                 tmp_path):  # fmt: skip
    site = factory.site(languages=["bn", "ar"])
    page = client.get("/surveys")
    assert page.status_code == 200 and 'href="/surveys/upload"' in page.data.decode()
    response = upload(client, pay_form(tmp_path))
    assert response.status_code == 302, response.data.decode()[-3000:]
    detail_url = response.headers["Location"]
    detail = client.get(detail_url).data.decode()
    assert "Pay check" in detail and "is a new survey." in detail
    assert "&#39;start&#39; (start) dropped" in detail  # what the import left out is shown
    upload_id = int(detail_url.rsplit("/", 1)[1])

    # Preview in Bengali: the interface follows the survey language, as a worker's does.
    start = client.get(f"/surveys/preview/upload/{upload_id}?lang=bn")
    first = client.get(start.headers["Location"]).data.decode()
    assert '<html lang="bn" dir="ltr">' in first and "আপনি কি সময়মতো বেতন পেয়েছেন?" in first
    assert "পরবর্তী" in first or "Next" not in first  # the Bengali catalog's "Next"
    # Skip logic: "yes" skips the days-late question; "no" shows it.
    screen0 = start.headers["Location"]
    after_yes = client.post(screen0, data={"on_time": "yes"})
    assert after_yes.headers["Location"].endswith(f"/surveys/preview/upload/{upload_id}/2")
    after_no = client.post(screen0, data={"on_time": "no"})
    assert after_no.headers["Location"].endswith(f"/surveys/preview/upload/{upload_id}/1")
    wrong = client.post(after_no.headers["Location"], data={"days_late": "three"})
    assert wrong.status_code == 400 and 'class="error"' in wrong.data.decode()
    client.post(after_no.headers["Location"], data={"days_late": "3"})
    end = client.post(f"/surveys/preview/upload/{upload_id}/2", data={"comment": "ঠিক আছে"})
    summary = client.get(end.headers["Location"]).data.decode()
    assert "days_late" in summary and "ঠিক আছে" in summary

    # Arabic: right to left.
    start = client.get(f"/surveys/preview/upload/{upload_id}?lang=ar")
    arabic = client.get(start.headers["Location"]).data.decode()
    assert '<html lang="ar" dir="rtl">' in arabic and "هل تقاضيت أجرك" in arabic
    assert count(app, SurveyVersion) == 0  # previews store nothing

    published = client.post(f"/surveys/uploads/{upload_id}/publish")
    assert published.status_code == 302
    with app.app_context():
        version = db.session.scalar(select(SurveyVersion))
        assert version.label == "1" and version.spec().languages == ["en", "bn", "ar"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == "survey"))
        assert event.action == "published" and event.user_id == lead.id
        version_id, survey_id = version.id, version.survey_id
    survey_page = client.get(published.headers["Location"]).data.decode()
    assert f"/campaigns/new?version={version_id}" in survey_page

    # Deploy from the library: the campaign form comes with the new survey chosen.
    form = client.get(f"/campaigns/new?version={version_id}").data.decode()
    assert re.search(rf'<option selected value="{version_id}">|value="{version_id}" selected', form)
    created = client.post("/campaigns/new", data={
        "name": "Pay check Q1", "survey_version_id": version_id, "stakeholder_group": "workers",
        "opens_on": utc_today().isoformat(),
        "closes_on": (utc_today() + timedelta(days=10)).isoformat(),
        "site_ids": [site.id], "languages": ["bn", "ar"],
    })  # fmt: skip
    assert created.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert campaign.survey_version_id == version_id and campaign.languages == ["bn", "ar"]
    worker = app.test_client()
    start = worker.post(f"/s/{site.code}/survey/{campaign.id}?lang=bn")
    assert "আপনি কি" in worker.get(start.headers["Location"]).data.decode()
    assert client.get(f"/surveys/{survey_id}").status_code == 200


def test_errors_are_listed_with_sheet_row_and_column_and_nothing_is_stored(app, client, lead,
                                                                           tmp_path):  # fmt: skip
    sheets = {
        "survey": [
            ["type", "name", "label", "label::Elvish"],
            ["select_one missing_list", "q1", "One", "x"],
            ["wibble", "q2", "Two", "y"],
            ["geopoint", "where", "Where?", "z"],
        ],
        "settings": [["form_id", "audience", "areas"], ["bad", "workers", "training"]],
    }
    data = build.write(sheets, tmp_path / "bad.xlsx").read_bytes()
    response = upload(client, data, name="bad.xlsx")
    page = response.data.decode()
    assert response.status_code == 400
    assert "problems: nothing was stored" in page
    assert "no language is called &#39;Elvish&#39;" in page
    assert re.search(r"<td[^>]*>survey</td>\s*<td[^>]*>3</td>", page)  # the wibble row
    assert "unknown type &#39;wibble&#39;" in page and "Cannot be offered" in page
    assert count(app, SurveyUpload) == 0 and count(app, Survey) == 0


def test_refused_questions_are_left_out_only_when_asked(app, client, lead, tmp_path):
    sheets = {
        "survey": [["type", "name", "label"], ["text", "what", "What?"], ["image", "p", "Photo"]],
        "settings": [["form_id", "audience", "areas"], ["photo", "workers", "training"]],
    }
    data = build.write(sheets, tmp_path / "photo.xlsx").read_bytes()
    refused = upload(client, data, name="photo.xlsx")
    assert refused.status_code == 400
    assert "Import the rest" in refused.data.decode(), refused.data.decode()
    accepted = upload(client, data, name="photo.xlsx", skip_refused="y")
    assert accepted.status_code == 302, re.findall(r'class="error">(.*?)</', accepted.data.decode())
    detail = client.get(accepted.headers["Location"]).data.decode()
    assert "left out" in detail
    with app.app_context():
        row = db.session.scalar(select(SurveyUpload))
        assert [q["name"] for q in row.definition["questions"]] == ["what"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("form.docx", b"PK\x03\x04rest", "Choose an XLSForm"),
        ("form.xlsx", b"not a zip at all", "not what its name says"),
        ("form.xls", b"PK\x03\x04", "not what its name says"),
        ("form.csv", b"survey\x00", "not what its name says"),
        ("form.xlsx", b"", "The file is empty."),
    ],
)
def test_wrong_files_are_refused_clearly(app, client, lead, name, data, message):
    response = upload(client, data, name=name)
    assert response.status_code == 400 and message in response.data.decode()
    assert count(app, SurveyUpload) == 0


def test_attachments_yaml_and_no_file(app, client, lead, tmp_path):
    assert "Choose the form file." in client.post("/surveys/upload", data={}).data.decode()
    sheets = {
        "survey": [["type", "name", "label"], ["select_one_from_file towns.csv", "town", "Town"]],
        "settings": [["form_id", "audience", "areas"], ["towns", "workers", "training"]],
    }
    data = build.write(sheets, tmp_path / "towns.xlsx").read_bytes()
    missing = upload(client, data, name="towns.xlsx")
    assert missing.status_code == 400 and "attach the file &#39;towns.csv&#39;" in (
        missing.data.decode()
    )
    wrong = upload(client, data, name="towns.xlsx", attachments=[("towns.exe", b"MZ")])
    assert "Choice files must be .csv or .xml" in wrong.data.decode()
    ok = upload(client, data, name="towns.xlsx", attachments=[("towns.csv", b"name,label\na,A\n")])
    assert ok.status_code == 302
    # A YAML definition, as in surveys/, with the audience chosen on the page.
    text = (Path(__file__).parents[2] / "surveys" / "training-feedback.yaml").read_bytes()
    response = upload(client, text, name="training-feedback.yaml")
    assert response.status_code == 302


def test_versions_are_immutable_downloads_round_trip_and_archive(app, client, lead, tmp_path):
    first = upload(client, pay_form(tmp_path, "1"))
    client.post(first.headers["Location"] + "/publish")
    # The same label with other questions is refused, as ODK Central does.
    clash = upload(client, pay_form(tmp_path, "1", late_label="Days late?"))
    refused = client.post(clash.headers["Location"] + "/publish", follow_redirects=True)
    assert "Version 1 of this survey already exists" in refused.data.decode()
    second = upload(client, pay_form(tmp_path, "2", late_label="Days late?"))
    client.post(second.headers["Location"] + "/publish")
    same = upload(client, pay_form(tmp_path, "2", late_label="Days late?"))
    assert "is identical to version 2" in client.get(same.headers["Location"]).data.decode()
    with app.app_context():
        versions = list(db.session.scalars(select(SurveyVersion).order_by(SurveyVersion.id)))
        assert [v.label for v in versions] == ["1", "2"]
        assert versions[0].spec().question("days_late").label["en"] == "How many days late?"
        first_id, survey_id = versions[0].id, versions[0].survey_id
        first_spec = versions[0].spec()

    xlsx = client.get(f"/surveys/versions/{first_id}/download.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    path = tmp_path / "download.xlsx"
    path.write_bytes(xlsx.data)
    convert(xlsform=str(path), warnings=[])  # pyxform takes what we give back
    assert parse_definition(read_xlsform(path, warn=lambda _m: None)) == first_spec
    yaml_text = client.get(f"/surveys/versions/{first_id}/download.yaml").data.decode()
    assert parse_definition(load_yaml(yaml_text)) == first_spec

    assert "Pay check" in client.get("/campaigns/new").data.decode()
    client.post(f"/surveys/{survey_id}/archive", data={"archived": "1"})
    assert "Pay check" not in client.get("/campaigns/new").data.decode()
    library = client.get("/surveys").data.decode()
    assert "archived" in library
    client.post(f"/surveys/{survey_id}/archive", data={"archived": "0"})
    assert "Pay check" in client.get("/campaigns/new").data.decode()
    history = client.get(f"/surveys/{survey_id}").data.decode()
    assert "Archived" in history and "Restored" in history and "Published a version" in history


def test_admin_uses_the_library_and_others_do_not(app, client, factory, tmp_path):
    login(client, factory.user("admin"))
    assert client.get("/surveys").status_code == 200
    assert upload(client, pay_form(tmp_path)).status_code == 302
    other = app.test_client()
    login(other, factory.user("monitor"))
    assert other.get("/surveys").status_code in (403, 404)
    assert app.test_client().get("/surveys/upload").status_code in (302, 401, 404)
