"""Shared steps for the grievance tests: file a report through the real routes."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.grievances.models import Grievance

CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "ZebraPhone/9.7 (GrievanceTestAgent-5c2f)"
ENVIRON = {"REMOTE_ADDR": CLIENT_ADDRESS}
HEADERS = {"User-Agent": USER_AGENT}

RECEIPT_PATTERN = re.compile(r'class="receipt-number"[^>]*>([\d ]+)<')


def report(
    client,
    *,
    code: str | None = None,
    who: str = "worker",
    lang: str = "en",
    environ: dict = ENVIRON,
    headers: dict = HEADERS,
    **fields,
):
    """File a report as an anonymous visitor; return the receipt as shown (grouped)."""
    prefix = f"/s/{code}" if code else ""
    data = {
        "who": who,
        "category": "wages",
        "description": "We have not been paid for the last two months.",
    }
    if not code:
        data["reported_place"] = "Blue Star Garments, Ashulia"
    data.update(fields)
    response = client.post(
        f"{prefix}/report?lang={lang}", data=data, environ_base=environ, headers=headers
    )
    assert response.status_code == 302, response.data.decode()[:2000]
    page = client.get(response.headers["Location"], environ_base=environ, headers=headers)
    assert page.status_code == 200
    match = RECEIPT_PATTERN.search(page.data.decode())
    assert match, page.data.decode()
    return match.group(1).strip()


def latest_case(app) -> Grievance:
    with app.app_context():
        case = db.session.scalars(db.select(Grievance).order_by(Grievance.id.desc())).first()
        db.session.expunge(case)
        return case


def lookups_from_many_addresses(app, client, *, limit: str, count: int) -> list[int]:
    """``count`` look-ups of unknown receipts, each from a new address, under a global
    look-up limit of ``limit``; the status of each."""
    from portal.grievances import receipts

    default = app.config["GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT"]
    app.config["GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT"] = limit
    try:
        return [
            client.post(
                "/follow-up",
                data={"receipt": receipts.new_receipt()},
                environ_base={"REMOTE_ADDR": f"198.51.100.{index}"},
            ).status_code
            for index in range(count)
        ]
    finally:
        app.config["GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT"] = default
