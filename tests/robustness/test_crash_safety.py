"""Crash safety (DESIGN §9): gunicorn is killed with SIGKILL in the middle of concurrent
anonymous survey and grievance submissions, then restarted on the same database. Every
submission the client saw acknowledged must be stored whole, nothing may be half-written, and
the risk rollups must still equal a recount of the stored answers."""

from __future__ import annotations

import os
import re
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.grievances import receipts
from portal.grievances.models import Grievance
from portal.risk import rollup
from portal.risk.models import ResponseCount, RiskCell
from portal.surveys import services as survey_services
from portal.surveys.definitions import parse_definition
from portal.surveys.models import Response
from tests.conftest import make_app, throwaway_database
from tests.factories import Factory
from tests.grievances.helpers import RECEIPT_PATTERN
from tests.servers import SERVER_GONE, Gunicorn, server_env
from tests.surveys.conftest import EVERY_TYPE, utc_today

SERVER_SECRET = "crash-safety-secret-key-fixed-for-both-runs"
# The working directory holds no gunicorn.conf.py: only these flags apply.
CRASH_SERVER = ["--workers=2", "--worker-class=gthread", "--threads=4", "--timeout=30",
                "--graceful-timeout=2"]  # fmt: skip
# Every respondent here comes from 127.0.0.1: stay below the survey Send limit (120 an hour
# per address) rather than switch limits off.
SURVEYS = 20
GRIEVANCES = 40
CLIENT_THREADS = 10
# SIGKILL once this many of each kind were acknowledged: the rest are still in flight.
KILL_AFTER = {"survey": 4, "grievance": 8}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FINISH_KEY = re.compile(r'name="k" value="([0-9a-f]+)"')


# --- the server ------------------------------------------------------------------------------


@pytest.fixture
def fresh_database(tmp_path):
    """A database of its own (the server must not share the session's, which is emptied
    between tests): a new SQLite file, or a throwaway PostgreSQL schema as in conftest."""
    with throwaway_database(tmp_path, "portal_crash") as url:
        yield url


def _server_env(database: str, instance: Path, ratelimit_prefix: str) -> dict[str, str]:
    # Redis, when the suite runs with it, is shared by both workers as deployed.
    many = "100000 per minute"
    return server_env(
        {
            "DATABASE_URL": database,
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
            "PORTAL_INSTANCE_PATH": str(instance),
            "PORTAL_SECRET_KEY": SERVER_SECRET,
            "PORTAL_RATELIMIT_KEY_PREFIX": ratelimit_prefix,  # removed by the session fixture
            "PORTAL_GRIEVANCE_INTAKE_RATE_LIMIT": many,
            "PORTAL_GRIEVANCE_LOOKUP_RATE_LIMIT": many,
            "PORTAL_GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT": many,
            "PYTHONUNBUFFERED": "1",
        }
    )


# --- the clients -----------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # each 302 is looked at: the one after a write is the acknowledgement


class Phone:
    """One respondent: a cookie jar of its own (the signed session), no shared state."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects()
        )

    def send(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(urljoin(self.base, path), data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=20) as reply:
                return reply.status, reply.headers.get("Location", ""), reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def form(self, path: str) -> tuple[str, str]:
        """GET a page with a form: (page, its CSRF token)."""
        status, _location, page = self.send(path)
        assert status == 200, (path, status, page[:500])
        return page, CSRF.search(page).group(1)


@dataclass
class Submission:
    kind: str
    index: int
    marker: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    answers: dict = field(default_factory=dict)
    started: bool = False
    acknowledged: bool = False
    receipt: str | None = None
    gone: str | None = None  # why the server stopped answering this one


class Load:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {"survey": 0, "grievance": 0}
        self.enough = threading.Event()

    def ack(self, submission: Submission) -> None:
        with self.lock:
            submission.acknowledged = True
            self.acknowledged[submission.kind] += 1
            if all(self.acknowledged[k] >= n for k, n in KILL_AFTER.items()):
                self.enough.set()


def survey_answers(index: int, marker: str) -> dict:
    """Answers for EVERY_TYPE that vary, so that risk cells get adverse, ok and missing."""
    return {
        "id_access": ("yes", "no", "dk")[index % 3],
        "problems": ["fees", "threats"] if index % 2 else ["fees"],
        "hours": str(40 + (index * 7) % 45),
        "refuse": "no",
        "fees_detail": f"Fees paid, respondent {marker}",
        "pay": "3.5",
        "safety": str(1 + index % 5),
        "started": "2024-02-01",
        "done": "OK",
    }


def expected_stored(answers: dict) -> dict:
    """What a complete response keeps: relevant answers only, plus the calculated field."""
    stored = {k: v for k, v in answers.items() if k != "problems"}
    stored["problems"] = " ".join(answers["problems"])
    hours = int(answers["hours"])
    if hours <= 48:
        del stored["refuse"]
    stored["long_week"] = "1" if hours > 60 else "0"
    return stored


def answer_survey(item: Submission, base: str, code: str, campaign_id: int, load: Load):
    phone = Phone(base)
    start = f"/s/{code}/survey/{campaign_id}"
    page, token = phone.form(start + "?lang=en")
    item.started = True
    status, location, page = phone.send(start, {"csrf_token": token})
    assert status == 302, (status, page[:500])
    while not location.endswith("/finish"):
        page, token = phone.form(location)
        names = set(re.findall(r'name="([a-z_]+)"', page))
        data = {name: item.answers[name] for name in names if name in item.answers}
        status, location, page = phone.send(location, {"csrf_token": token, **data})
        assert status == 302, (location, status, page[:1000])
    page, token = phone.form(location)
    key = FINISH_KEY.search(page).group(1)
    status, location, page = phone.send(location, {"csrf_token": token, "k": key})
    assert status == 302 and location.endswith("/thanks"), (status, location, page[:1000])
    load.ack(item)  # the redirect to "thank you" is what the respondent is told
    status, _location, page = phone.send(location)
    assert status == 200


def file_grievance(item: Submission, base: str, code: str, load: Load):
    phone = Phone(base)
    general = item.index % 4 == 3  # a quarter come through the general entry (no site code)
    prefix = "" if general else f"/s/{code}"
    _page, token = phone.form(f"{prefix}/report?who=worker&lang=en")
    item.started = True
    data = {
        "csrf_token": token,
        "who": "worker",
        "category": ("wages", "hours", "documents")[item.index % 3],
        "description": f"Wages withheld for two months, report {item.marker}",
    }
    if general:
        data["reported_place"] = "Blue Star Garments, Ashulia"
    if item.index % 5 == 0:
        data.update(wants_contact="y", contact=f"+95 9 4400 {item.index:04d}")
    status, location, page = phone.send(f"{prefix}/report?lang=en", data)
    assert status == 302, (status, page[:1000])
    load.ack(item)  # the case is committed before this redirect is sent
    status, _location, page = phone.send(location)
    assert status == 200
    item.receipt = RECEIPT_PATTERN.search(page).group(1).strip()


def run(task, item: Submission, *args):
    try:
        task(item, *args)
    except SERVER_GONE as error:
        item.gone = type(error).__name__


# --- the test --------------------------------------------------------------------------------


@pytest.fixture
def server_app(fresh_database, ratelimit_prefix, tmp_path):
    """The app in this process, on the server's database and key: migrates, sets up, checks."""
    app = make_app(fresh_database, ratelimit_prefix, tmp_path / "checker", SECRET_KEY=SERVER_SECRET)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _open_campaign(app):
    factory = Factory(app)
    site = factory.site(factory.supplier("Yangon Knit", "MM"), languages=["en", "my"])
    spec = parse_definition(EVERY_TYPE)
    with app.app_context():
        version, _created = survey_services.store_version(spec)
        db.session.commit()
        campaign = survey_services.create_campaign(
            survey_services.CampaignData(
                name="Crash safety",
                survey_version_id=version.id,
                stakeholder_group="workers",
                site_ids=[site.id],
                opens_on=utc_today() - timedelta(days=1),
                closes_on=utc_today() + timedelta(days=30),
                languages=["en"],
            )
        )
        return site.code, campaign.id


def _rollups(app) -> tuple[dict, dict]:
    with app.app_context():
        cells = {
            (c.site_id, c.stakeholder_group, c.indicator, c.period): (c.k, c.n, c.missing)
            for c in db.session.scalars(select(RiskCell))
        }
        counts = {
            (c.campaign_id, c.site_id, c.day): c.count
            for c in db.session.scalars(select(ResponseCount))
        }
        db.session.remove()
    return cells, counts


def test_sigkill_under_load_loses_nothing_acknowledged(server_app, fresh_database, tmp_path):
    code, campaign_id = _open_campaign(server_app)
    instance = tmp_path / "instance"
    instance.mkdir()
    prefix = server_app.config["RATELIMIT_KEY_PREFIX"]
    server = Gunicorn(_server_env(fresh_database, instance, prefix), tmp_path, CRASH_SERVER)
    try:
        base = server.start()
        load = Load()
        surveys = [Submission("survey", i) for i in range(SURVEYS)]
        grievances = [Submission("grievance", i) for i in range(GRIEVANCES)]
        for item in surveys:
            item.answers = survey_answers(item.index, item.marker)
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            futures = []
            # Interleaved, so that both kinds are being written when the server dies.
            for index in range(GRIEVANCES):
                if index % 2 == 0 and index // 2 < SURVEYS:
                    survey = surveys[index // 2]
                    futures.append(
                        pool.submit(run, answer_survey, survey, base, code, campaign_id, load)
                    )
                futures.append(
                    pool.submit(run, file_grievance, grievances[index], base, code, load)
                )
            load.enough.wait(timeout=60)
            server.kill()
            for future in futures:
                future.result()  # an assertion inside a client (a 4xx/5xx) fails the test

        everything = surveys + grievances
        acknowledged = [item for item in everything if item.acknowledged]
        cut_off = [item for item in everything if item.started and item.gone]
        assert sum(i.kind == "survey" for i in acknowledged) >= KILL_AFTER["survey"]
        assert sum(i.kind == "grievance" for i in acknowledged) >= KILL_AFTER["grievance"]
        # The kill really fell in the middle: some submissions were under way and got no answer.
        assert cut_off, "every submission finished before the kill; the load was too light"
        assert len(acknowledged) < len(everything)

        base = server.start()  # the same database, after the crash
        _check_surveys(server_app, surveys)
        _check_grievances(server_app, grievances)
        _check_receipts_still_work(base, [g for g in grievances if g.receipt])
        before = _rollups(server_app)
        with server_app.app_context():
            counted = rollup.rebuild()
        assert counted == sum(before[1].values())
        assert _rollups(server_app) == before, "risk rollups differ from a recount of the answers"
    finally:
        server.stop()
        server.kill()


def _check_surveys(app, surveys: list[Submission]) -> None:
    by_marker = {item.answers["fees_detail"]: item for item in surveys}
    with app.app_context():
        stored = db.session.scalars(select(Response).options(selectinload(Response.answers)))
        seen = set()
        for response in stored:
            answers = {answer.question: answer.value for answer in response.answers}
            item = by_marker.get(answers.get("fees_detail"))
            # No response without its answers, none partly written, none stored twice.
            assert item is not None, f"response {response.id} is not whole: {answers}"
            assert item.marker not in seen, f"respondent {item.index} stored twice"
            seen.add(item.marker)
            assert answers == expected_stored(item.answers), response.id
            assert response.status == "complete"
        db.session.remove()
    lost = [item.index for item in surveys if item.acknowledged and item.marker not in seen]
    assert not lost, f"acknowledged survey responses lost: {lost}"


def _check_grievances(app, grievances: list[Submission]) -> None:
    by_marker = {item.marker: item for item in grievances}
    with app.app_context():
        stored = db.session.scalars(select(Grievance).options(selectinload(Grievance.messages)))
        seen = set()
        for case in stored:
            item = by_marker.get(case.description.rsplit(" ", 1)[-1])
            assert item is not None, f"case {case.id} is not whole: {case.description!r}"
            assert item.marker not in seen, f"report {item.index} stored twice"
            seen.add(item.marker)
            # The acknowledgement message is written with the case, never without it.
            assert [m.author for m in case.messages] == ["system"], case.id
            assert (case.site_id is None) == (item.index % 4 == 3)
            assert (case.contact_encrypted is not None) == (item.index % 5 == 0)
            if item.receipt:
                digits = receipts.normalise(item.receipt)
                assert case.receipt_hmac == receipts.receipt_hmac(digits), case.id
        db.session.remove()
    lost = [item.index for item in grievances if item.acknowledged and item.marker not in seen]
    assert not lost, f"acknowledged reports lost: {lost}"


def _check_receipts_still_work(base: str, grievances: list[Submission]) -> None:
    assert grievances
    for item in grievances:
        phone = Phone(base)
        _page, token = phone.form("/follow-up?lang=en")
        status, _location, page = phone.send(
            "/follow-up", {"csrf_token": token, "receipt": item.receipt}
        )
        assert status == 200 and item.marker in page, (item.index, status)
