"""What answering a survey reads from the database (issue 16: a screen at the framework's pace).

Screens are shown from a per-process copy of the site and campaign at most a few seconds old;
storing a response always reads afresh and checks again. Statement counts are deterministic,
so they are asserted here; speed is measured by bench/serve.py, never in tests."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, func, select, update

from portal.db import utcnow
from portal.extensions import db
from portal.surveys import services
from portal.surveys.models import Campaign, Response

ANSWERS = [{}, {"id_access": "yes"}, {"hours": "40"}, {"pay": "3"}, {"safety": "4"},
           {"started": "2024-02-01"}, {"done": "OK"}]  # fmt: skip


@contextmanager
def statements(app):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _to_finish(client, site, campaign) -> str:
    url = client.post(f"/s/{site.code}/survey/{campaign.id}?lang=en").headers["Location"]
    for answers in ANSWERS:
        response = client.post(url, data=answers)
        assert response.status_code == 302, (url, response.data[:300])
        url = response.headers["Location"]
        if url.endswith("/finish"):
            break
    assert url.endswith("/finish")
    return url


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)))


def test_a_screen_reads_nothing_and_storing_reads_once(app, client, deploy):
    campaign, (site,) = deploy()
    first = client.post(f"/s/{site.code}/survey/{campaign.id}?lang=en").headers["Location"]
    client.get(first)  # the copy is made
    with statements(app) as seen:
        assert client.get(first).status_code == 200
        assert client.post(first, data={}).status_code == 302
    assert seen == []
    finish = _to_finish(client, site, campaign)
    key = re.search(r'name="k" value="([0-9a-f]+)"', client.get(finish).data.decode()).group(1)
    with statements(app) as seen:
        assert client.post(finish, data={"k": key}).headers["Location"].endswith("/thanks")
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    writes = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    # The site and campaign afresh, the campaign's sites; the response, its answers in one
    # executemany, the two rollups in one upsert each.
    assert len(reads) == 2 and len(writes) == 4, seen
    assert _stored(app) == 1


def test_closing_a_campaign_here_ends_its_screens_at_once(app, client, deploy):
    campaign, (site,) = deploy()
    first = client.post(f"/s/{site.code}/survey/{campaign.id}?lang=en").headers["Location"]
    assert client.get(first).status_code == 200
    with app.app_context():
        services.close_campaign(db.session.get(Campaign, campaign.id))
    page = client.get(first)
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/{campaign.id}")


def test_a_campaign_closed_by_another_process_stores_nothing(app, client, deploy):
    campaign, (site,) = deploy()
    finish = _to_finish(client, site, campaign)
    key = re.search(r'name="k" value="([0-9a-f]+)"', client.get(finish).data.decode()).group(1)
    with app.app_context():  # as another worker would: no flush here clears this one's copy
        db.session.execute(
            update(Campaign).where(Campaign.id == campaign.id).values(closed_at=utcnow())
        )
        db.session.commit()
    sent = client.post(finish, data={"k": key})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/{campaign.id}")
    assert _stored(app) == 0
