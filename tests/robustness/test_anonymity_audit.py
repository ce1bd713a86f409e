"""Anonymity audit (DESIGN §8, §9): every anonymous flow is driven by a client that sends
distinctive canaries (address, forwarded address, user agent, language tag, referrer) on every
request; afterwards the whole database, the logs, the instance folder and the rate limiter's
keys are searched for them and for the receipts in clear. Stored anonymous times are checked
to be days (and the staff deadline clock the hour that docs/grievances.md decided)."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, select
from sqlalchemy.engine import make_url

from portal.extensions import db, limiter
from portal.grievances import receipts
from portal.grievances.labels import CATEGORIES_FOR
from portal.grievances.models import Grievance, GrievanceMessage
from portal.risk.models import ResponseCount
from portal.surveys.models import Response
from tests.factories import login
from tests.grievances.helpers import report
from tests.surveys.conftest import utc_today

ADDRESS = "203.0.113.77"
FORWARDED_FOR = "198.51.100.99"
USER_AGENT = "AuditAgent/9.9 (Canary-UA-7f3a)"
ACCEPT_LANGUAGE = "x-canary, km;q=0.9"
REFERER = "https://canary-referer.example/leak"
ENVIRON = {"REMOTE_ADDR": ADDRESS}
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept-Language": ACCEPT_LANGUAGE,
    "X-Forwarded-For": FORWARDED_FOR,
    "Referer": REFERER,
}
CANARIES = [
    ADDRESS,
    FORWARDED_FOR,
    USER_AGENT,
    "Canary-UA-7f3a",
    "AuditAgent",
    "x-canary",
    "canary-referer",
    REFERER,
    # An unsalted hash of the address or the agent would identify them just as well.
    *(
        getattr(hashlib, name)(value.encode()).hexdigest()
        for name in ("md5", "sha1", "sha256")
        for value in (ADDRESS, FORWARDED_FOR, USER_AGENT)
    ),
]

SURVEY_TEXT = "Audit survey text: the agent kept my passport"
REPORT_TEXT = "Audit report text: the night guard locks the dormitory gate"
GENERAL_TEXT = "Audit general entry: the river near the dye house runs blue"
REPLY_TEXT = "Audit reply: it happened again on Tuesday night"
MORE_TEXT = "Audit more information: twelve of us sleep in one room"
CONTACT = "+855 12 345 678"
SURVEY_ANSWERS = {
    "id_access": "no",
    "problems": ["fees"],
    "hours": "66",
    "refuse": "no",
    "fees_detail": SURVEY_TEXT,
    "pay": "1.5",
    "safety": "2",
    "started": "2024-02-01",
    "done": "OK",
}


@pytest.fixture
def canary_client(limited_client):
    """The anonymous phone: the canaries go with every request, redirects included. The rate
    limiter is on, so that its keys can be audited too."""
    limited_client.environ_base.update(
        ENVIRON, **{"HTTP_" + name.upper().replace("-", "_"): v for name, v in HEADERS.items()}
    )
    return limited_client


def _send(client, method: str, url: str, **data):
    response = client.open(url, method=method, data=data, environ_base=ENVIRON, headers=HEADERS)
    assert response.request.environ["HTTP_USER_AGENT"] == USER_AGENT
    return response


def _answer_survey(client, site, campaign) -> None:
    url = _send(client, "POST", f"/s/{site.code}/survey/{campaign.id}").headers["Location"]
    while not url.endswith("/finish"):
        page = _send(client, "GET", url).data.decode()
        names = set(re.findall(r'name="([a-z_]+)"', page))
        answers = {name: SURVEY_ANSWERS[name] for name in names if name in SURVEY_ANSWERS}
        response = _send(client, "POST", url, **answers)
        assert response.status_code == 302, response.data.decode()[:1000]
        url = response.headers["Location"]
    key = re.search(r'name="k" value="([0-9a-f]+)"', _send(client, "GET", url).data.decode())
    done = _send(client, "POST", url, k=key.group(1))
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    assert _send(client, "GET", done.headers["Location"]).status_code == 200


def _follow_up(client, receipt: str, path: str = "/follow-up", **data):
    response = _send(client, "POST", path, receipt=receipt, **data)
    assert response.status_code == 200, response.data.decode()[:1000]
    return response.data.decode()


def _dump(app) -> str:
    """Every row and column of every table, as text."""
    lines = []
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                lines.append(f"{table.name}: {tuple(row)!r} {tuple(str(v) for v in row)}")
    return "\n".join(lines)


def _files(folder: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in folder.rglob("*") if path.is_file()
    )


def _database_files(app) -> str:
    """The SQLite file and its WAL as raw bytes: rows deleted or rewritten leave traces."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return ""
    base = Path(url.database)
    files = [base, base.with_name(base.name + "-wal")]
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in files if path.exists()
    )


def _limiter_keys(app) -> list[str]:
    storage_uri = app.config["RATELIMIT_STORAGE_URI"]
    if storage_uri.startswith("redis"):
        import redis

        client = redis.Redis.from_url(storage_uri)
        try:
            prefix = app.config["RATELIMIT_KEY_PREFIX"]
            return [key.decode() for key in client.scan_iter(match=f"*{prefix}*")]
        finally:
            client.close()
    storage = limiter.storage
    return [*storage.storage, *storage.events]  # MemoryStorage's counters and windows


def test_nothing_about_anonymous_visitors_is_kept(app, canary_client, factory, deploy, caplog):
    client = canary_client
    first_day = utc_today()
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)  # SQL statements and their parameters too
    lookup_limit = app.config["GRIEVANCE_LOOKUP_RATE_LIMIT"]
    app.config["GRIEVANCE_LOOKUP_RATE_LIMIT"] = "100 per minute"  # this test reads a lot
    site = factory.site(factory.supplier("Phnom Penh Garments", "KH"), languages=["km", "en"])
    campaign, _sites = deploy(sites=[site])
    try:
        # The headers reach the app: with no explicit choice, Accept-Language picks Khmer.
        assert '<html lang="km"' in _send(client, "GET", f"/s/{site.code}").data.decode()
        _answer_survey(client, site, campaign)

        first = report(
            client, code=site.code, description=REPORT_TEXT, environ=ENVIRON, headers=HEADERS
        )
        with_contact = report(
            client,
            code=site.code,
            description="Audit call-back report: wages are two months late",
            wants_contact="y",
            contact=CONTACT,
            environ=ENVIRON,
            headers=HEADERS,
        )
        assert _send(client, "GET", "/report").status_code == 200  # the general entry
        general = report(
            client,
            who="community",
            category=CATEGORIES_FOR["community"][0],
            description=GENERAL_TEXT,
            reported_place="Dye house by the Tonle Sap",
            environ=ENVIRON,
            headers=HEADERS,
        )

        assert REPORT_TEXT in _follow_up(client, first)
        assert REPLY_TEXT in _follow_up(client, first, "/follow-up/reply", message=REPLY_TEXT)
        assert GENERAL_TEXT in _follow_up(client, general, f"/s/{site.code}/follow-up")
        assert "Audit call-back" in _follow_up(client, with_contact, f"/s/{site.code}/follow-up")

        staff = app.test_client()
        login(staff, factory.user("compliance"))
        case_id = db_case_id(app, REPORT_TEXT)
        answer = staff.post(f"/cases/{case_id}/reply", data={"reply-body": "We will visit."})
        assert answer.status_code == 302
        assert "We will visit." in _follow_up(client, first)
        _follow_up(client, first, "/follow-up/reply", message=MORE_TEXT)
        for status in ("investigating", "resolved", "closed"):
            answer = staff.post(f"/cases/{case_id}/status", data={"status": status})
            assert answer.status_code == 302
        assert 'name="satisfaction"' in _follow_up(client, first)
        _follow_up(client, first, "/follow-up/feedback", satisfaction="partly")

        digits = receipts.normalise(first)
        typo = digits[:7] + str((int(digits[7]) + 1) % 10) + digits[8:]
        unknown = receipts.new_receipt()
        assert _send(client, "POST", "/follow-up", receipt=typo).status_code == 400
        wrong = _send(client, "POST", f"/s/{site.code}/follow-up", receipt=unknown)
        assert wrong.status_code == 404
    finally:
        app.config["GRIEVANCE_LOOKUP_RATE_LIMIT"] = lookup_limit

    forbidden = list(CANARIES)
    for receipt in (first, with_contact, general, typo, unknown):
        plain = receipts.normalise(receipt) if " " in receipt else receipt
        grouped = receipts.group(plain)
        forbidden += [receipt, plain, grouped, grouped.replace(" ", "-")]
    dump = _dump(app)
    # The dump is real: it holds what the visitors wrote (and only the contact's cipher text).
    for written in (SURVEY_TEXT, REPORT_TEXT, GENERAL_TEXT, REPLY_TEXT, MORE_TEXT):
        assert written in dump
    assert "grievance_messages:" in dump and "answers:" in dump
    assert CONTACT not in dump
    assert caplog.records, "nothing was logged: the log capture is not working"
    assert "SELECT" in caplog.text  # SQL and its parameters were captured as well
    keys = _limiter_keys(app)
    assert keys, "the rate limiter kept no keys: it was not exercised"
    places = {
        "database": dump,
        "logs": caplog.text,
        "instance folder": _files(Path(app.instance_path)),
        "database files": _database_files(app),
        "rate limiter keys": "\n".join(keys),
    }
    for where, content in places.items():
        found = [needle for needle in forbidden if needle in content]
        assert not found, f"{where} contains {found}"
    _assert_times_are_coarse(app, {first_day, utc_today()})  # the test may cross midnight


def db_case_id(app, description: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Grievance.id).where(Grievance.description == description))


def _is_day(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _on_the_hour(value: datetime) -> bool:
    # In UTC: PostgreSQL hands back its session time zone, which may be a half-hour one.
    value = value.astimezone(UTC) if value.tzinfo else value
    return (value.minute, value.second, value.microsecond) == (0, 0, 0)


def _assert_times_are_coarse(app, days: set[date]) -> None:
    """DESIGN §8: anonymous submission times are days. docs/grievances.md: a case also keeps
    the hour of intake for staff deadlines; staff actions (acknowledged, resolved) are timed."""
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert _is_day(response.submitted_on) and response.submitted_on in days
        untimed = [c.name for c in Response.__table__.columns if isinstance(c.type, DateTime)]
        assert all(getattr(response, name) is None for name in untimed), untimed
        counted = db.session.scalars(select(ResponseCount)).one()  # the rollup keeps days too
        assert _is_day(counted.day) and counted.day == response.submitted_on

        timed = {c.name for c in Grievance.__table__.columns if isinstance(c.type, DateTime)}
        # A new time column on a case must be reviewed against the anonymity promise.
        assert timed == {
            "clock_started_at",
            "acknowledge_due_at",
            "resolve_due_at",
            "acknowledged_at",
            "resolved_at",
        }
        cases = db.session.scalars(select(Grievance)).all()
        assert len(cases) == 3
        for case in cases:
            assert _is_day(case.received_on) and case.received_on in days
            assert _is_day(case.status_changed_on)
            for moment in (case.clock_started_at, case.acknowledge_due_at, case.resolve_due_at):
                assert _on_the_hour(moment), (case.id, moment)
        rated = [case for case in cases if case.satisfaction]
        assert len(rated) == 1 and _is_day(rated[0].satisfaction_on)

        messages = db.session.scalars(select(GrievanceMessage)).all()
        anonymous = [m for m in messages if m.author in ("reporter", "system")]
        assert {m.author for m in anonymous} == {"reporter", "system"}
        for message in anonymous:
            assert message.created_at is None and _is_day(message.created_on), message.id
