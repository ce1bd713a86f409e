"""The CTPAT / UFLPA evidence pack: every file listed in a manifest that verifies, numbers
recomputed from the database, no reporter's words, signals suppressed at 10, one supplier's
pack holding only that supplier, and the build in the background with its progress."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.grievances.services import today
from portal.reports import pack
from portal.reports.models import EvidencePack
from tests.factories import login
from tests.remediation.helpers import plan_at, worker_voice_campaign
from tests.reports import helpers

EXPECTED_FILES = {
    "summary.pdf", "cases.csv", "caps.csv", "cap-evidence.csv", "activities.csv",
    "saq-answers.csv", "data-dictionary.csv", "README.txt", "MANIFEST.sha256",
}  # fmt: skip


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def _world(app, factory):
    lead = factory.user("compliance")
    ours, theirs = factory.supplier("Ours Ltd"), factory.supplier("Theirs Ltd")
    mill = factory.site(ours, "Our Mill")
    yard = factory.site(theirs, "Their Yard")
    owner = factory.user("supplier", supplier=ours)
    worker_voice_campaign(app, mill, adverse={"FL03": 0.4}, responses=12)
    worker_voice_campaign(app, yard, adverse={"FL03": 0.4}, responses=7, seed=4)
    # A third site, so that complementary suppression leaves a cell to show.
    worker_voice_campaign(app, factory.site(ours, "Our Annex"), adverse={"FL03": 0.4},
                          responses=25, seed=5)  # fmt: skip
    helpers.cases(app, mill, 3, lead=lead, status="acknowledged")
    helpers.cases(app, yard, 2)
    plan_at(app, mill, lead, owner, status="awaiting_verification")
    plan_at(app, yard, lead, factory.user("supplier", supplier=theirs))
    return lead, ours, mill, yard


def _download(client, lead, supplier_id=""):
    start, end = today() - timedelta(days=30), today() + timedelta(days=1)
    login(client, lead)
    created = client.post("/reports/packs", data={"supplier": supplier_id,
                                                  "period_start": start.isoformat(),
                                                  "period_end": end.isoformat()})  # fmt: skip
    assert created.status_code == 302, created.data.decode()[:2000]
    page = client.get(created.headers["Location"] + "?lang=en").data.decode()
    assert "Ready" in page and "http-equiv" not in page
    response = client.get(created.headers["Location"] + "/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data)), response.data


def test_the_programme_pack_verifies_and_matches_the_database(app, client, factory):
    lead, _ours, mill, yard = _world(app, factory)
    archive, data = _download(client, lead)
    names = set(archive.namelist())
    assert names >= EXPECTED_FILES and any(n.startswith("signals-") for n in names)
    manifest = archive.read("MANIFEST.sha256").decode().splitlines()
    listed = {}
    for line in manifest:
        digest, name = line.split("  ", 1)
        listed[name] = digest
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert set(listed) == names - {"MANIFEST.sha256"}
    with app.app_context():
        stored = db.session.scalar(select(EvidencePack))
        assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)

    cases = _rows(archive, "cases.csv")
    assert len(cases) == 5 and {c["site_code"] for c in cases} == {mill.code, yard.code}
    assert len(_rows(archive, "caps.csv")) == 2
    evidence = _rows(archive, "cap-evidence.csv")
    assert len(evidence) == 1 and evidence[0]["file"] == "lockers.pdf"
    assert len(evidence[0]["sha256"]) == 64
    # No reporter's words anywhere in the pack.
    for name in names:
        assert helpers.DESCRIPTION.encode() not in archive.read(name), name
    # Signals hide every cell under 10 answers: Their Yard had 7.
    signals = [row for n in names if n.startswith("signals-") for row in _rows(archive, n)]
    yard_rows = [row for row in signals if row["site_code"] == yard.code]
    assert yard_rows and all(row["status"] == "suppressed" and not row["n"] for row in yard_rows)
    assert any(row["status"] == "shown" and int(row["n"]) >= 10 for row in signals)
    dictionary = _rows(archive, "data-dictionary.csv")
    assert {"saq-answers", "cap-evidence", "cases", "signals"} <= {r["export"] for r in dictionary}
    assert archive.read("summary.pdf").startswith(b"%PDF")


def test_a_supplier_pack_holds_only_that_supplier(app, client, factory):
    lead, ours, mill, yard = _world(app, factory)
    archive, _data = _download(client, lead, str(ours.id))
    assert {c["site_code"] for c in _rows(archive, "cases.csv")} == {mill.code}
    assert {c["site_code"] for c in _rows(archive, "caps.csv")} == {mill.code}
    for name in archive.namelist():
        if name.endswith(".csv"):
            assert yard.code.encode() not in archive.read(name), name
            assert b"Their Yard" not in archive.read(name), name
    assert "Ours Ltd" in archive.read("README.txt").decode()


def test_the_pack_is_built_in_the_background_with_progress(app, client, factory):
    lead, *_rest = _world(app, factory)
    with app.app_context():
        created = pack.create(None, today() - timedelta(days=7), today(), db.session.merge(lead))
        pack_id = created.id
    login(client, lead)
    waiting = client.get(f"/reports/packs/{pack_id}?lang=en").data.decode()
    assert 'http-equiv="refresh"' in waiting and "Waiting" in waiting
    assert client.get(f"/reports/packs/{pack_id}/download").status_code == 404
    with app.test_request_context("/"):
        thread = pack.start_in_background(db.session.get(EvidencePack, pack_id))
    thread.join(timeout=60)
    done = client.get(f"/reports/packs/{pack_id}?lang=en").data.decode()
    assert "Ready" in done and 'http-equiv="refresh"' not in done
    assert client.get(f"/reports/packs/{pack_id}/download").status_code == 200


def test_bad_pack_requests_are_refused_with_reasons(app, client, factory):
    lead = factory.user("compliance")
    login(client, lead)
    backwards = client.post("/reports/packs?lang=en", data={
        "supplier": "", "period_start": "2026-06-01", "period_end": "2026-01-01"})  # fmt: skip
    assert backwards.status_code == 400
    assert "The period must start before it ends" in backwards.data.decode()
    nobody = {"supplier": "999999", "period_start": "2026-01-01", "period_end": "2026-02-01"}
    unknown = client.post("/reports/packs?lang=en", data=nobody)
    assert unknown.status_code == 400 and 'class="error"' in unknown.data.decode()
    with app.app_context():
        assert db.session.scalar(select(EvidencePack)) is None


def test_a_stale_pack_is_marked_failed(app, client, factory):
    lead = factory.user("compliance")
    with app.app_context():
        created = pack.create(None, today(), today(), db.session.merge(lead))
        created.status, created.created_at = "running", created.created_at - timedelta(hours=3)
        db.session.commit()
    login(client, lead)
    assert "Failed" in client.get("/reports/packs?lang=en").data.decode()
