"""The wide export form in a browser: on a phone (360 px), in English and Arabic, without
JavaScript; the form's GET leads to the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.exports.test_wide import definition, world  # noqa: F401 (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, user, lang):
    page.goto(f"{live_server}/login?lang={lang}")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_form_fits_a_phone_and_downloads_without_javascript(
    live_server,
    phone,
    axe,
    factory,
    world,  # noqa: F811
    lang,
):
    user = factory.user("compliance")
    checked = phone(axe=True, locale="ar" if lang == "ar" else "en-US")
    _sign_in(checked, live_server, user, lang)
    checked.goto(f"{live_server}/exports?lang={lang}")
    assert checked.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert checked.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(checked) == []

    page = phone(javascript=False)
    _sign_in(page, live_server, user, lang)
    page.goto(f"{live_server}/exports?lang={lang}")
    page.select_option("#wide-version", str(world["version"]))
    page.select_option("#wide-fmt", "csv")
    page.check("#wide-labels")
    page.select_option("#wide-language", "ar")
    with page.expect_download() as started:
        page.locator("#export-wide ~ form button[type=submit]").click()
    download = started.value
    assert download.suggested_filename.startswith("wide-wide-test-v1-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["id_access"] for row in rows} == {"نعم", "لا"}
    assert len(rows) == 6
