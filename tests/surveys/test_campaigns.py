"""Compliance deploys surveys to sites as campaigns, follows responses and closes them."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.surveys import services
from portal.surveys.definitions import parse_definition
from portal.surveys.models import Campaign
from tests.factories import login
from tests.surveys.conftest import EVERY_TYPE, utc_today


def _version(app):
    with app.app_context():
        version, _ = services.store_version(parse_definition(EVERY_TYPE))
        db.session.commit()
        return version.id


def test_compliance_creates_a_campaign_and_sees_it_on_the_site_page(app, client, factory):
    version_id = _version(app)
    sites = [factory.site(languages=["en"]), factory.site(languages=["ar"])]
    login(client, factory.user("compliance"))
    form = client.get("/campaigns/new").data.decode()
    assert "Working here" in form and sites[0].name in form
    data = {
        "name": "Spring worker voice",
        "survey_version_id": str(version_id),
        "stakeholder_group": "workers",
        "opens_on": utc_today().isoformat(),
        "closes_on": (utc_today() + timedelta(days=30)).isoformat(),
        "site_ids": [str(site.id) for site in sites],
        "languages": ["en", "ar"],
    }
    response = client.post("/campaigns/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert campaign.languages == ["en", "ar"] and len(campaign.sites) == 2
    detail = client.get(response.headers["Location"]).data.decode()
    assert "Spring worker voice" in detail and f"/s/{sites[1].code}" in detail
    assert "Working here" in client.get(f"/s/{sites[0].code}").data.decode()
    assert "Spring worker voice" in client.get("/campaigns").data.decode()


def test_campaign_form_errors_keep_the_input(app, client, factory):
    version_id = _version(app)
    site = factory.site()
    login(client, factory.user("compliance"))
    base = {
        "name": "Bad dates",
        "survey_version_id": str(version_id),
        "stakeholder_group": "workers",
        "opens_on": utc_today().isoformat(),
        "closes_on": (utc_today() - timedelta(days=1)).isoformat(),
        "site_ids": [str(site.id)],
        "languages": ["en"],
    }
    response = client.post("/campaigns/new", data=base)
    assert response.status_code == 400
    assert "The last day must not be before the first day." in response.data.decode()
    assert 'value="Bad dates"' in response.data.decode()
    response = client.post("/campaigns/new", data={**base, "closes_on": "tomorrow"})
    assert response.status_code == 400
    assert "Enter the last day (YYYY-MM-DD)." in response.data.decode()
    response = client.post(
        "/campaigns/new", data={**base, "closes_on": utc_today().isoformat(), "languages": ["fr"]}
    )
    assert response.status_code == 400
    response = client.post(
        "/campaigns/new", data={**base, "closes_on": utc_today().isoformat(), "site_ids": []}
    )
    assert response.status_code == 400 and "Choose at least one site." in response.data.decode()


def test_invited_groups_get_an_unguessable_link(app, client, factory, deploy):
    campaign, (site,) = deploy(group="investors")
    assert campaign.token and len(campaign.token) >= 30
    login(client, factory.user("compliance"))
    detail = client.get(f"/campaigns/{campaign.id}").data.decode()
    assert f"/c/{campaign.token}" in detail
    # Not listed on the public site page.
    assert f"/survey/{campaign.id}" not in app.test_client().get(f"/s/{site.code}").data.decode()


def test_campaign_page_counts_responses_per_site_and_day(app, client, factory, deploy):
    campaign, sites = deploy(sites=[factory.site(name="North"), factory.site(name="South")])
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        for site, count in ((sites[0], 3), (sites[1], 1)):
            for _ in range(count):
                services.submit_response(
                    stored,
                    db.session.merge(site),
                    "en",
                    {"id_access": "yes", "hours": "40"},
                    utc_today(),
                )
    login(client, factory.user("compliance"))
    page = client.get(f"/campaigns/{campaign.id}").data.decode()
    north = re.search(r"North</bdi></td><td[^>]*>(\d+)<", page).group(1)
    south = re.search(r"South</bdi></td><td[^>]*>(\d+)<", page).group(1)
    assert (north, south) == ("3", "1")
    assert ">4</td>" in page  # today's total


def test_submit_service_refuses_what_the_views_would_refuse(app, deploy, factory):
    import pytest

    campaign, (site,) = deploy()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        site = db.session.merge(site)
        with pytest.raises(services.ResponseRejected, match="incomplete"):
            services.submit_response(stored, site, "en", {"hours": "40"}, utc_today())
        with pytest.raises(services.ResponseRejected, match="language"):
            services.submit_response(stored, site, "fr", {}, utc_today())
        with pytest.raises(services.ResponseRejected, match="closed"):
            services.submit_response(stored, site, "en", {}, utc_today() + timedelta(days=90))
        other = db.session.merge(factory.site())
        with pytest.raises(services.ResponseRejected, match="site"):
            services.submit_response(
                stored, other, "en", {"id_access": "no", "hours": "1"}, utc_today()
            )
