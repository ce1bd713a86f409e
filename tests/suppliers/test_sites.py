"""Compliance manages suppliers and sites; site codes; the public site page; posters."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.suppliers import services
from portal.suppliers.models import Site, Supplier
from tests.factories import login


@pytest.fixture
def compliance_client(client, factory):
    login(client, factory.user("compliance"))
    return client


def _site_form(supplier_id, **overrides):
    data = {
        "supplier_id": str(supplier_id),
        "name": "Gazipur Unit 3",
        "country": "BD",
        "locality": "Gazipur",
        "sector": "apparel",
        "headcount": "1250",
        "languages": ["bn", "hi"],
    }
    data.update(overrides)
    return data


def test_compliance_creates_and_edits_a_supplier(app, compliance_client):
    response = compliance_client.post(
        "/suppliers/new", data={"name": "Dhaka Knit", "country": "BD", "contact_email": ""}
    )
    assert response.status_code == 302
    with app.app_context():
        supplier = db.session.scalar(db.select(Supplier).where(Supplier.name == "Dhaka Knit"))
        assert supplier.country == "BD"
    page = compliance_client.get(response.headers["Location"])
    assert b"Dhaka Knit" in page.data and b"Bangladesh" in page.data
    response = compliance_client.post(
        f"/suppliers/{supplier.id}/edit",
        data={"name": "Dhaka Knit Ltd", "country": "BD", "contact_email": "ops@knit.example"},
    )
    assert response.status_code == 302
    duplicate = compliance_client.post("/suppliers/new", data={"name": "Dhaka Knit Ltd",
                                                               "country": "BD"})  # fmt: skip
    assert duplicate.status_code == 400
    assert b"A supplier with this name already exists." in duplicate.data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", b"Not a valid choice."),
        ("country", "", b"Choose a country."),
        ("headcount", "-5", b"Enter a whole number of workers, at least 1."),
        ("headcount", "lots", b"Enter the number of workers."),
        ("languages", [], b"Choose at least one language."),
        ("languages", ["tlh"], b"is not a valid choice for this field."),
        ("sector", "casino", b"Not a valid choice."),
        ("name", "", b"Enter the site"),
        ("name", "x" * 201, b"Field cannot be longer than 200 characters."),
    ],
)
def test_bad_site_input_is_explained_and_kept(compliance_client, factory, field, value, message):
    supplier = factory.supplier()
    response = compliance_client.post("/sites/new", data=_site_form(supplier.id, **{field: value}))
    assert response.status_code == 400
    assert message in response.data
    assert b'role="alert"' in response.data  # the error summary at the top
    assert b'aria-invalid="true"' in response.data or field == "languages"
    if field != "locality":
        assert b'value="Gazipur"' in response.data  # what was typed is kept


def test_create_site_assigns_an_unambiguous_code_and_shows_it(app, compliance_client, factory):
    supplier = factory.supplier()
    response = compliance_client.post("/sites/new", data=_site_form(supplier.id))
    assert response.status_code == 302
    with app.app_context():
        site = db.session.scalar(db.select(Site).where(Site.name == "Gazipur Unit 3"))
        assert site.languages == ["bn", "hi"] and site.headcount == 1250
    assert re.fullmatch(f"[{services.SITE_CODE_ALPHABET}]{{5}}", site.code)
    assert not set(site.code) & set("01OILUV")
    page = compliance_client.get(f"/sites/{site.id}").data.decode()
    assert site.code in page and f"/s/{site.code}" in page
    duplicate = compliance_client.post("/sites/new", data=_site_form(supplier.id))
    assert duplicate.status_code == 400
    assert b"This supplier already has a site with this name." in duplicate.data


def test_site_codes_are_unique_even_when_the_generator_collides(app, factory, monkeypatch):
    first = factory.site()
    draws = iter([first.code, first.code, "ZZZ22"])
    monkeypatch.setattr(services, "new_site_code", lambda: next(draws))
    second = factory.site()
    assert second.code == "ZZZ22"
    with app.app_context():
        clash = Site(supplier_id=second.supplier_id, name="Clash", code=first.code,
                     country="BD", sector="apparel", headcount=1, languages=["bn"])  # fmt: skip
        db.session.add(clash)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_many_codes_are_distinct_and_well_formed():
    codes = {services.new_site_code() for _ in range(2000)}
    assert len(codes) > 1990
    assert all(services.normalise_site_code(code) == code for code in codes)
    assert services.normalise_site_code(" k7q-2m ") == "K7Q2M"
    assert services.normalise_site_code("K7Q2O") == ""  # O is not in the alphabet


def test_public_site_page_with_language_picker(client, factory):
    site = factory.site(languages=["my", "ne", "bn"])
    response = client.get(f"/s/{site.code}")
    assert response.status_code == 200
    page = response.data.decode()
    # The site's languages come first, each in its own script and marked up with lang.
    first_buttons = re.findall(r'class="lang-button[^"]*" href="[^"]+" lang="([^"]+)"', page)
    assert first_buttons[:3] == ["my", "ne", "bn"]
    assert 'lang="my" dir="ltr" hreflang="my"' in page and "မြန်မာ" in page
    # No fake survey or report forms before those capabilities exist.
    assert "<form" not in page.split("<footer")[0]
    assert site.name in page


def test_public_site_page_language_follows_the_site(client, factory):
    site = factory.site(languages=["my", "ne"])
    page = client.get(f"/s/{site.code}", headers={"Accept-Language": "de-DE,de;q=0.9"}).data
    assert b'<html lang="my" dir="ltr">' in page  # nobody's browser language fits: the site's
    page = client.get(f"/s/{site.code}", headers={"Accept-Language": "ne-NP,ne;q=0.9"}).data
    assert b'<html lang="ne"' in page


def test_site_code_lookup(client, factory):
    site = factory.site()
    lower = client.get(f"/s/{site.code.lower()}")
    assert lower.status_code == 301 and lower.headers["Location"] == f"/s/{site.code}"
    assert client.get("/s/ZZZZZ").status_code == 404
    found = client.get("/s", query_string={"code": f" {site.code[:3]}-{site.code[3:]} "})
    assert found.status_code == 302 and found.headers["Location"] == f"/s/{site.code}"
    empty = client.get("/s", query_string={"code": ""})
    assert empty.status_code == 400
    assert b"Enter the 5-character code from the poster." in empty.data
    wrong = client.get("/s", query_string={"code": "QQQQQ"})
    assert wrong.status_code == 404
    assert b"We could not find this code." in wrong.data and b'value="QQQQQ"' in wrong.data


def test_poster_has_qr_short_url_and_text_in_each_site_language(client, factory):
    site = factory.site(languages=["ar", "bn", "en"])
    login(client, factory.user("compliance"))
    page = client.get(f"/sites/{site.id}/poster").data.decode()
    assert "<svg" in page and "<path" in page
    assert f"localhost/s/{site.code}" in page
    for code, direction in (("ar", "rtl"), ("bn", "ltr"), ("en", "ltr")):
        assert f'<section lang="{code}" dir="{direction}">' in page
    assert "Your voice matters" in page


def test_poster_qr_code_encodes_the_public_url(app, client, factory):
    import segno

    site = factory.site()
    app.config["PUBLIC_BASE_URL"] = "https://voice.example.org"
    try:
        login(client, factory.user("compliance"))
        page = client.get(f"/sites/{site.id}/poster").data.decode()
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    expected = segno.make(f"https://voice.example.org/s/{site.code}", error="m")
    path = re.search(r'<path[^>]* d="([^"]+)"', expected.svg_inline(scale=1, border=2)).group(1)
    assert path in page
    assert f"voice.example.org/s/{site.code}" in page
