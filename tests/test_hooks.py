"""Capabilities add navigation entries and site-page actions through portal.hooks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.hooks import NavItem, SiteAction, register_nav, register_site_actions
from portal.security import allow
from tests.conftest import make_app
from tests.factories import Factory, login


def test_site_actions_and_nav_items_appear(database_uri, ratelimit_prefix, tmp_path, app):
    extra = make_app(database_uri, ratelimit_prefix, tmp_path, RATELIMIT_ENABLED=False)

    @extra.get("/extra")
    @allow("monitor")
    def extra_page():
        return "extra"

    register_nav(extra, NavItem("extra_page", _l("Extra"), frozenset({"monitor"}), order=5))
    register_site_actions(
        extra,
        lambda site: [
            SiteAction(
                url=f"/report/{site.code}",
                label="Report a problem",
                description="Tell us what happened.",
            )
        ],
    )
    factory = Factory(extra)
    site = factory.site()
    client = extra.test_client()
    page = client.get(f"/s/{site.code}").data.decode()
    assert f'href="/report/{site.code}"' in page and "Tell us what happened." in page
    assert "There is nothing to answer at this site" not in page
    login(client, factory.user("monitor", sites=[site]))
    assert 'href="/extra"' in client.get("/home").data.decode()
    other = extra.test_client()
    login(other, factory.user("compliance"))
    assert 'href="/extra"' not in other.get("/home").data.decode()
