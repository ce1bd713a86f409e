"""Staff lists page, sort and search the same way (portal/listing.py), in SQL, whatever
their size; ``bench/lists.py`` times them with 10,000 rows each."""

from __future__ import annotations

import re

import pytest

from portal.listing import PER_PAGE
from tests import lists_world
from tests.factories import login
from tests.surveys.test_responding_reads import statements

#: path, role that reads it, its sort keys, and the text of a row per sort key order check.
LISTS = {
    "/cases": ("compliance", ["case", "received", "site", "category", "group", "status",
                              "severity", "handler"]),
    "/sites": ("compliance", ["site", "supplier", "country", "sector", "workers", "code"]),
    "/suppliers": ("compliance", ["name", "country", "sites", "workers"]),
    "/campaigns": ("compliance", ["name", "group", "dates", "responses"]),
    "/saq": ("compliance", ["site", "campaign", "due", "state"]),
    "/users": ("admin", ["name", "role", "login"]),
}  # fmt: skip


@pytest.fixture
def world(app, factory):
    return lists_world.build(app, factory)


def _client(app, world, role):
    client = app.test_client()
    login(client, world[role])
    return client


def _raw_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.S)


def _rows(html: str) -> list[str]:
    """The text of each body row, tags dropped."""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in _raw_rows(html)]


def _order(html: str, names: list[str]) -> list[str]:
    """``names`` (found in the rows' HTML) in the order their rows come on the page."""
    rows = _raw_rows(html)
    return sorted(names, key=lambda name: next(i for i, row in enumerate(rows) if name in row))


@pytest.mark.parametrize("path", list(LISTS))
def test_every_column_sorts_both_ways_and_bad_input_falls_back(app, world, path):
    role, keys = LISTS[path]
    client = _client(app, world, role)
    default = client.get(f"{path}?lang=en")
    assert default.status_code == 200 and 'class="desk"' in default.text
    for key in keys:
        ascending = client.get(f"{path}?sort={key}&lang=en")
        descending = client.get(f"{path}?sort=-{key}&lang=en")
        assert ascending.status_code == descending.status_code == 200, key
        if (path, key) != ("/sites", "supplier"):  # shown under each site's name
            assert f'aria-sort="ascending"><a href="{path}?' in ascending.text, key
            assert 'aria-sort="descending"' in descending.text, key
        assert f'<option value="-{key}" selected>' in descending.text
    for junk in ("sort=nonsense", "sort=--name", "sort=-", "q=%25", "q=_", "q=" + "x" * 500,
                 "page=0", "page=abc", "sort=name&page=-1"):  # fmt: skip
        response = client.get(f"{path}?{junk}&lang=en")
        assert response.status_code == 200, junk
    wildcard = client.get(f"{path}?q=%25&lang=en")  # a literal %, not "everything"
    assert "<tbody>" not in wildcard.text or len(_rows(wildcard.text)) < len(_rows(default.text))
    assert client.get(f"{path}?page=2").status_code == 404  # past the last page


def test_cases_are_found_by_number_site_code_and_names(app, world):
    client = _client(app, world, "compliance")
    critical, unassessed, low = world["cases"]
    hanoi = world["sites"][2]
    # A bare number is a case number or part of a name ("Gazipur Unit 2"); "#2" is the case.
    bare = {unassessed} | ({critical} if str(unassessed) in "Gazipur Unit 2" else set())
    for query, expected in [(f"%23{critical}", {critical}), (str(unassessed), bare),
                            ("%23x", set()), ("%23999999999999", set()),
                            (hanoi.code.lower(), {unassessed}), ("gazipur", {critical}),
                            ("alpha", {critical, low}), ("Beta_", {unassessed}),
                            ("nothing like it", set())]:  # fmt: skip
        html = client.get(f"/cases?q={query}&lang=en").text
        found = {int(number) for number in re.findall(r">#(\d+)</a>", html)}
        assert found == expected, query
    severity = client.get("/cases?sort=-severity&lang=en").text
    assert _order(severity, [f"#{critical}<", f"#{low}<", f"#{unassessed}<"]) == [
        f"#{critical}<",
        f"#{low}<",
        f"#{unassessed}<",
    ]  # not assessed last, both ways
    ascending = client.get("/cases?sort=severity&lang=en").text
    assert _order(ascending, [f"#{critical}<", f"#{low}<", f"#{unassessed}<"])[-1] == (
        f"#{unassessed}<"
    )
    by_site = client.get("/cases?sort=site&lang=en").text
    assert _order(by_site, ["Chittagong", "Gazipur", "Hanoi"]) == ["Chittagong", "Gazipur", "Hanoi"]


def test_links_keep_the_filters_search_and_sort(app, world):
    app.config["GRIEVANCES_PER_PAGE"] = 1
    try:
        client = _client(app, world, "compliance")
        html = client.get("/cases?q=alpha&category=&status=open&sort=-severity&lang=en").text
        next_link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1)
        assert "q=alpha" in next_link and "status=open" in next_link
        assert "sort=-severity" in next_link and "page=2" in next_link
        assert "category=" not in next_link  # empty filters are dropped, not repeated
        header = re.search(r'<th scope="col"><a href="([^"]+)">Received', html).group(1)
        assert "q=alpha" in header and "sort=-received" in header and "page=" not in header
        assert "2 rows · Page 1 of 2" in html
        second = client.get(next_link.replace("&amp;", "&")).text
        assert "Page 2 of 2" in second and 'rel="prev"' in second
    finally:
        app.config["GRIEVANCES_PER_PAGE"] = 25


def test_each_list_searches_its_own_words(app, world):
    compliance = _client(app, world, "compliance")
    admin = _client(app, world, "admin")
    _gazipur, chittagong, hanoi = world["sites"]
    checks = [
        (compliance, f"/sites?q={hanoi.code}", ["Hanoi Sewing"], ["Gazipur", "Chittagong"]),
        (compliance, "/sites?q=knit", ["Gazipur", "Chittagong"], ["Hanoi"]),
        (compliance, "/suppliers?q=_garm", ["Beta_Garments"], ["Alpha Knit"]),
        (compliance, "/suppliers?q=100%25", ["Beta_Garments"], ["Alpha Knit"]),
        (compliance, "/campaigns?q=spring", ["Spring pulse"], ["SAQ 2026"]),
        (compliance, f"/saq?q={chittagong.code}", ["Chittagong"], ["Gazipur", "Hanoi"]),
        (compliance, "/saq?q=2026", ["Chittagong", "Gazipur", "Hanoi"], []),
        (admin, "/users?q=ZED", ["Zed Monitor"], ["Ada Admin", "Carla"]),
        (admin, "/users?q=supplier", ["Sam Supplier"], ["Ada Admin"]),
    ]
    for client, path, present, absent in checks:
        rows = " | ".join(_rows(client.get(path + "&lang=en").text))
        assert all(word in rows for word in present), (path, rows)
        assert not any(word in rows for word in absent), (path, rows)
    empty = compliance.get("/suppliers?q=zzz&lang=en").text
    assert "No supplier matches this search." in empty


def test_sorting_by_counts_and_states(app, world):
    client = _client(app, world, "compliance")
    suppliers = client.get("/suppliers?sort=-sites&lang=en").text
    assert _order(suppliers, ["Alpha Knit", "Beta_Garments"]) == ["Alpha Knit", "Beta_Garments"]
    suppliers = client.get("/suppliers?sort=sites&lang=en").text
    assert _order(suppliers, ["Alpha Knit", "Beta_Garments"]) == ["Beta_Garments", "Alpha Knit"]
    sites = client.get("/sites?sort=-workers&lang=en").text
    assert _order(sites, ["Gazipur", "Chittagong", "Hanoi"]) == ["Gazipur", "Chittagong", "Hanoi"]
    campaigns = client.get("/campaigns?sort=-responses&lang=en").text
    assert _order(campaigns, ["Spring pulse", "SAQ 2026"]) == ["Spring pulse", "SAQ 2026"]
    states = client.get("/saq?sort=state&lang=en").text  # draft, ..., accepted, not started
    assert _order(states, ["Chittagong", "Gazipur", "Hanoi"]) == ["Chittagong", "Gazipur", "Hanoi"]
    assert _rows(states)[-1].endswith("not started")


def test_lists_stay_within_their_scope(app, world):
    """Search and sort never widen what a role sees: the monitor has one site."""
    monitor = _client(app, world, "monitor")
    for query in ("", "?q=hanoi", "?sort=-site", "?q=alpha&sort=severity"):
        html = monitor.get(f"/cases{query}").text
        assert "Hanoi" not in html and "Chittagong" not in html
    supplier = _client(app, world, "supplier_user")
    rows = " | ".join(_rows(supplier.get("/saq?sort=-site&lang=en").text))
    assert "Hanoi" not in rows and "Gazipur" in rows
    assert "Hanoi" not in supplier.get("/sites?q=hanoi").text


def _more_rows(app, factory, world, count):
    """``count`` more of everything each list shows."""
    from tests.grievances.test_cases import _case

    alpha = world["suppliers"][0]
    for number in range(count):
        site = factory.site(alpha, f"Extra site {number}")
        factory.user("monitor", sites=[site])
        _case(app, site)


def test_statements_per_page_do_not_grow_with_the_rows_on_it(app, world, factory):
    """No lazy load per row: a page of 3 and a page of 8 rows cost the same statements."""
    paths = {"/cases": "compliance", "/sites": "compliance", "/suppliers": "compliance",
             "/campaigns": "compliance", "/saq": "compliance", "/users": "admin"}  # fmt: skip
    clients = {role: _client(app, world, role) for role in set(paths.values())}

    def counts():
        result = {}
        for path, role in paths.items():
            with statements(app) as seen:
                assert clients[role].get(path).status_code == 200
            result[path] = len(seen)
        return result

    counts()  # the first request of a session records its sign-in time
    before = counts()
    _more_rows(app, factory, world, 5)
    assert counts() == before
    assert PER_PAGE >= 8


def test_a_long_site_menu_gives_way_to_the_search_box(app, world, monkeypatch):
    from portal.grievances import views_cases

    client = _client(app, world, "compliance")
    assert '<select id="site"' in client.get("/cases").text
    monkeypatch.setattr(views_cases, "MENU_LIMIT", 2)  # three sites: too many for a menu
    gazipur = world["sites"][0]
    html = client.get(f"/cases?site={gazipur.id}&sort=-severity&lang=en").text
    assert '<select id="site"' not in html and '<select id="supplier"' not in html
    assert f'<input type="hidden" name="site" value="{gazipur.id}">' in html
    assert "Site: <bdi>Gazipur Unit 2</bdi>" in html
    link = re.search(r"Gazipur Unit 2</bdi> · <a href=\"([^\"]+)\">All sites</a>", html).group(1)
    assert "site=" not in link and "sort=-severity" in link, link
    assert len(_rows(html)) == 1  # the filter still applies
    assert "Site: <bdi>" not in client.get("/cases?site=999999").text  # nothing to name
