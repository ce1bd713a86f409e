"""Anonymous responding through the test client: one screen at a time, server-side logic."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.surveys.models import Answer, Response
from tests.surveys.conftest import utc_today


def _screen_urls(page: str) -> str:
    return page


def _start(client, site, campaign, lang="en"):
    response = client.post(f"/s/{site.code}/survey/{campaign.id}?lang={lang}")
    assert response.status_code == 302
    return response.headers["Location"]


def test_full_flow_with_skip_logic_validation_back_and_submit(app, client, deploy):
    campaign, (site,) = deploy()
    start_page = client.get(f"/s/{site.code}/survey/{campaign.id}").data.decode()
    assert "Working here" in start_page and "<form" in start_page
    url = _start(client, site, campaign)
    # Screen 1: the note.
    page = client.get(url).data.decode()
    assert "Hello" in page and "Question 1 of" in page
    url = client.post(url, data={}).headers["Location"]
    # Screen 2: the field-list group shows two questions on one screen.
    page = client.get(url).data.decode()
    assert "Your documents" in page and "Can you get your ID card?" in page
    assert "Which problems?" in page
    missing = client.post(url, data={"problems": ["fees"]})
    assert missing.status_code == 400
    assert "Please answer this question." in missing.data.decode()
    assert re.search(r'value="fees" checked', missing.data.decode())  # kept what was picked
    bad_choice = client.post(url, data={"id_access": "maybe"})
    assert bad_choice.status_code == 400
    url = client.post(url, data={"id_access": "no", "problems": ["fees", "threats"]}).headers[
        "Location"
    ]
    # Screen 3: hours, with a constraint.
    assert client.post(url, data={"hours": "many"}).status_code == 400
    too_many = client.post(url, data={"hours": "130"})
    assert "Enter 0 to 120." in too_many.data.decode()
    url = client.post(url, data={"hours": "70"}).headers["Location"]
    # hours > 48 makes the overtime question relevant.
    assert "Can you refuse overtime?" in client.get(url).data.decode()
    back_target = url
    url = client.post(url, data={"refuse": "no"}).headers["Location"]
    # selected(${problems}, 'fees') makes the fees question relevant; Back works.
    page = client.get(url).data.decode()
    assert "Tell us about the fees" in page
    assert f'href="{back_target}"' in page
    url = client.post(url, data={"fees_detail": "  I paid 900 dollars  "}).headers["Location"]
    assert client.post(url, data={"pay": "abc"}).status_code == 400
    url = client.post(url, data={"pay": "2,5"}).headers["Location"]
    assert client.post(url, data={"safety": "9"}).status_code == 400
    url = client.post(url, data={"safety": "4"}).headers["Location"]
    assert client.post(url, data={"started": "31/02/2024"}).status_code == 400
    url = client.post(url, data={"started": "2024-02-01"}).headers["Location"]
    url = client.post(url, data={"done": "OK"}).headers["Location"]
    assert url.endswith("/finish")
    finish = client.get(url).data.decode()
    key = re.search(r'name="k" value="([0-9a-f]+)"', finish).group(1)
    done = client.post(url, data={"k": key})
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    assert "Thank you" in client.get(done.headers["Location"]).data.decode()
    # A phone picked up afterwards holds no answers: the session keeps only the campaign id.
    with client.session_transaction() as stored_session:
        assert "I paid 900 dollars" not in repr(dict(stored_session))
        assert "survey" not in stored_session  # the progress, answers included, is gone

    with app.app_context():
        response = db.session.scalar(select(Response))
        answers = {a.question: a.value for a in db.session.scalars(select(Answer))}
        assert response.submitted_on == utc_today() and response.user_id is None
        assert response.stakeholder_group == "workers" and response.language == "en"
        numbers = {a.question: a.number for a in db.session.scalars(select(Answer))}
    assert answers == {
        "id_access": "no",
        "problems": "fees threats",
        "hours": "70",
        "refuse": "no",
        "fees_detail": "I paid 900 dollars",
        "pay": "2.5",
        "safety": "4",
        "started": "2024-02-01",
        "long_week": "1",
        "done": "OK",
    }
    assert numbers["hours"] == 70.0 and numbers["pay"] == 2.5

    # The same key cannot be used twice (replayed form).
    assert client.post(url, data={"k": key}).status_code == 302  # progress is gone: restart
    with app.app_context():
        assert db.session.query(Response).count() == 1
    # The start page says this phone already answered, without blocking a second person.
    assert (
        "already sent from this phone"
        in client.get(f"/s/{site.code}/survey/{campaign.id}").data.decode()
    )


def test_changing_an_earlier_answer_drops_answers_that_no_longer_apply(app, client, deploy):
    campaign, (site,) = deploy()
    url = _start(client, site, campaign)
    url = client.post(url, data={}).headers["Location"]
    group_url = url
    url = client.post(url, data={"id_access": "yes", "problems": ["fees"]}).headers["Location"]
    url = client.post(url, data={"hours": "70"}).headers["Location"]
    url = client.post(url, data={"refuse": "yes"}).headers["Location"]
    url = client.post(url, data={"fees_detail": "paid"}).headers["Location"]
    # Go back and untick fees; hours down to 40: refuse and fees_detail stop applying.
    client.post(group_url, data={"id_access": "yes", "problems": []})
    hours_url = group_url.rsplit("/", 1)[0] + "/2"
    client.post(hours_url, data={"hours": "40"})
    for path in ("5", "6", "7", "8"):
        client.post(group_url.rsplit("/", 1)[0] + "/" + path, data={})
    finish = client.get(f"/s/{site.code}/survey/{campaign.id}/finish").data.decode()
    key = re.search(r'name="k" value="([0-9a-f]+)"', finish).group(1)
    client.post(f"/s/{site.code}/survey/{campaign.id}/finish", data={"k": key})
    with app.app_context():
        stored = {a.question for a in db.session.scalars(select(Answer))}
    assert "refuse" not in stored and "fees_detail" not in stored and "hours" in stored


def test_survey_in_arabic_is_right_to_left(client, deploy):
    campaign, (site,) = deploy()
    url = _start(client, site, campaign, lang="ar")
    page = client.get(url).data.decode()
    assert '<html lang="ar" dir="rtl">' in page and "مرحبا" in page


def test_campaign_windows(client, deploy, factory):
    later, (site,) = deploy(starts=5)
    page = client.get(f"/s/{site.code}/survey/{later.id}").data.decode()
    assert "This survey opens on" in page and "<button" not in page.split("<main")[1]
    assert client.post(f"/s/{site.code}/survey/{later.id}").status_code == 200
    past, (site2,) = deploy(starts=-10, days=5)
    assert "This survey is closed." in client.get(f"/s/{site2.code}/survey/{past.id}").data.decode()
    # Only open campaigns are offered on the site page.
    assert f"/survey/{later.id}" not in client.get(f"/s/{site.code}").data.decode()
    current, (site3,) = deploy()
    assert f"/s/{site3.code}/survey/{current.id}" in client.get(f"/s/{site3.code}").data.decode()


def test_closing_a_campaign_stops_submissions_in_progress(app, client, deploy, factory):
    from tests.factories import login

    campaign, (site,) = deploy()
    url = _start(client, site, campaign)
    staff = app.test_client()
    login(staff, factory.user("compliance"))
    assert staff.post(f"/campaigns/{campaign.id}/close").status_code == 302
    assert client.get(url).headers["Location"].endswith(f"/survey/{campaign.id}")
    assert (
        "This survey is closed." in client.get(f"/s/{site.code}/survey/{campaign.id}").data.decode()
    )


def test_wrong_site_or_uninvited_group_is_not_found(client, deploy, factory):
    campaign, (site,) = deploy()
    other = factory.site()
    assert client.get(f"/s/{other.code}/survey/{campaign.id}").status_code == 404
    assert client.get(f"/s/{site.code}/survey/99999").status_code == 404
    invited, (site4,) = deploy(group="employees")
    assert client.get(f"/s/{site4.code}/survey/{invited.id}").status_code == 404
    assert client.get("/c/not-a-token").status_code == 404
    response = client.get(f"/c/{invited.token}")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_nothing_about_the_respondent_is_stored(app, client, deploy):
    campaign, (site,) = deploy()
    headers = {"User-Agent": "DistinctiveAgent/9.9", "Accept-Language": "ar-JO"}
    environ = {"REMOTE_ADDR": "203.0.113.77"}
    url = _start(client, site, campaign)
    answers = [{}, {"id_access": "yes"}, {"hours": "40"}, {}, {}, {}, {}, {"done": "OK"}]
    for data in answers:
        response = client.post(url, data=data, headers=headers, environ_base=environ)
        url = response.headers["Location"]
        if url.endswith("/finish"):
            break
    finish = client.get(url).data.decode()
    key = re.search(r'name="k" value="([0-9a-f]+)"', finish).group(1)
    client.post(url, data={"k": key}, headers=headers, environ_base=environ)
    with app.app_context():
        dump = []
        for table in db.metadata.sorted_tables:
            dump.extend(str(row) for row in db.session.execute(table.select()))
    text = "\n".join(dump)
    assert "203.0.113.77" not in text and "DistinctiveAgent" not in text
    with app.app_context():
        assert db.session.query(Response).count() == 1


ONE_QUESTION = {
    "form_id": "one-question",
    "version": "1",
    "title": {"en": "One question"},
    "audience": "workers",
    "areas": ["risk_assessment"],
    "default_language": "en",
    "languages": ["en"],
    "questions": [
        {
            "type": "select_one yes_no_dk",
            "name": "id_access",
            "required": True,
            "label": {"en": "Can you get your ID card?"},
        }
    ],
    "choices": {
        "yes_no_dk": [
            {"name": "yes", "label": {"en": "Yes"}},
            {"name": "no", "label": {"en": "No"}},
            {"name": "dk", "label": {"en": "I don't know"}},
        ]
    },
}


def _answer_and_send(client, site, campaign) -> tuple[str, object]:
    url = _start(client, site, campaign)
    url = client.post(url, data={"id_access": "no"}).headers["Location"]
    finish = client.get(url).data.decode()
    key = re.search(r'name="k" value="([0-9a-f]+)"', finish).group(1)
    return url, client.post(url, data={"k": key})


def test_send_limit_is_configurable_and_a_refused_send_keeps_the_answers(
    app, limited_client, deploy
):
    campaign, (site,) = deploy(ONE_QUESTION)
    app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "2 per hour"
    try:
        for _ in range(2):  # two people on one phone and one address: both counted
            assert _answer_and_send(limited_client, site, campaign)[1].status_code == 302
        url, refused = _answer_and_send(limited_client, site, campaign)
        assert refused.status_code == 429
        assert "Too many attempts" in refused.data.decode()
        with limited_client.session_transaction() as stored_session:
            assert stored_session["survey"]["a"] == {"id_access": "no"}  # kept for later
        app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "3 per hour"  # the limit is read per request
        key = stored_session["survey"]["k"]
        assert limited_client.post(url, data={"k": key}).status_code == 302
    finally:
        app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "120 per hour"
    with app.app_context():
        assert db.session.query(Response).count() == 3
