"""SAQ evidence uploads under attack: what tests/surveys/test_saq.py does not already cover
(size, empty, PNG named .pdf, an .exe, another supplier's evidence are checked there)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.surveys.models import Evidence
from tests.surveys.test_saq import PDF, PNG


def _files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\system32\\evil.pdf",
        "/etc/cron.d/evil.pdf",
        "policy\x00.png.pdf",
        "a" * 5000 + ".pdf",
        "....//....//policy.pdf",
    ],
)
def test_hostile_names_are_stored_under_a_random_name_in_uploads(app, client, section, filename):
    instance = Path(app.instance_path)
    before = _files(instance.parent)
    response = client.post(section, data={"policy": (BytesIO(PDF), filename)})
    assert response.status_code == 302
    with app.app_context():
        evidence = db.session.scalar(select(Evidence))
    new = _files(instance.parent) - before
    assert new == {instance / "uploads" / evidence.stored_name}
    assert evidence.stored_name.isalnum() and len(evidence.stored_name) == 32
    # The name offered on download is a plain file name: no separators, no NUL, capped.
    assert "/" not in evidence.filename and "\\" not in evidence.filename
    assert "\x00" not in evidence.filename and ".." not in evidence.filename
    assert evidence.filename.endswith(".pdf") and len(evidence.filename) <= 200
    assert not evidence.filename.endswith(".pdf.pdf")
    download = client.get(f"/saq/evidence/{evidence.id}")
    assert download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]


HTML = b"<!doctype html><script>alert(1)</script>"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (HTML, "policy.pdf", "Only PDF, JPEG or PNG files can be attached."),
        (HTML, "photo.png", "Only PDF, JPEG or PNG files can be attached."),
        (ELF, "scan.pdf", "Only PDF, JPEG or PNG files can be attached."),
        (SVG, "chart.png", "Only PDF, JPEG or PNG files can be attached."),
        (PDF, "policy.exe", "Only PDF, JPEG or PNG files can be attached."),
        (PDF, "policy.html", "Only PDF, JPEG or PNG files can be attached."),
        (PDF, "policy.pdf.exe", "Only PDF, JPEG or PNG files can be attached."),
        (PNG, "policy.jpg", "does not match its name"),
    ],
)
def test_disguised_files_are_refused_clearly(app, client, section, content, filename, message):
    before = _files(Path(app.instance_path).parent)
    response = client.post(section + "?lang=en", data={"policy": (BytesIO(content), filename)})
    assert response.status_code == 400
    assert message in response.data.decode()
    assert _files(Path(app.instance_path).parent) == before
    with app.app_context():
        assert db.session.scalar(select(Evidence)) is None


def test_body_over_the_upload_cap_is_a_translated_413(app, client, section):
    """Three files' worth plus a margin is the most the section accepts in one request."""
    huge = PDF + b"0" * (31 * 1024 * 1024 + 1)
    before = _files(Path(app.instance_path).parent)
    response = client.post(section + "?lang=fr", data={"policy": (BytesIO(huge), "big.pdf")})
    assert response.status_code == 413
    assert 'lang="fr"' in response.data.decode()
    with app.app_context():
        assert db.session.scalar(select(Evidence)) is None
    assert _files(Path(app.instance_path).parent) == before
