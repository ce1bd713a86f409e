"""Every anonymous page passes axe-core (no serious or critical violation) in English, Arabic
(RTL) and Bengali (a Brahmic script), and a worker can finish a survey and a grievance with the
keyboard alone, JavaScript off.

axe needs JavaScript, so the axe walk uses a JavaScript-enabled context; the keyboard walk runs
with JavaScript off, as on the cheapest phones.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import ROOT
from portal.extensions import db
from portal.grievances import services as grievance_services
from portal.grievances.models import Grievance
from portal.surveys import services
from portal.surveys.definitions import load_definition
from portal.surveys.models import Response
from tests.surveys.conftest import utc_today

pytestmark = pytest.mark.browser

# am, si, ta and th: the Ethiopic, Sinhala, Tamil and Thai scripts added with the 20 languages.
LANGUAGES = ["en", "ar", "bn", "am", "si", "ta", "th"]


@pytest.fixture
def campaigns(app, factory):
    """An open worker survey, a closed one, and an investor campaign over two sites."""
    spec = load_definition(ROOT / "surveys" / "worker-voice.yaml")
    supplier = factory.supplier("Dhaka Knit", "BD")
    site = factory.site(supplier, "Gazipur Unit 2", languages=["bn", "ar", "en"])
    other = factory.site(supplier, "Gazipur Unit 3", languages=["bn", "en"])
    today = utc_today()
    with app.app_context():
        version, _ = services.store_version(spec)
        db.session.commit()

        def campaign(name, group, sites, opens_on, closes_on):
            return services.create_campaign(
                services.CampaignData(
                    name=name,
                    survey_version_id=version.id,
                    stakeholder_group=group,
                    site_ids=[s.id for s in sites],
                    opens_on=opens_on,
                    closes_on=closes_on,
                    languages=list(spec.languages),
                )
            )

        open_one = campaign("Open", "workers", [site], today, today + timedelta(days=7))
        closed = campaign("Closed", "workers", [site], today - timedelta(days=9), today)
        closed.closes_on = today - timedelta(days=1)
        invited = campaign("Investors", "investors", [site, other], today, today + timedelta(7))
        db.session.commit()
        return {"site": site, "open": open_one.id, "closed": closed.id, "token": invited.token}


def _check(page, axe, failures: list[str], label: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, label
    failures.extend(f"{label}: {violation}" for violation in axe(page))


def _submit(page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_anonymous_page_passes_axe(app, live_server, phone, axe, campaigns, factory, lang):
    code = campaigns["site"].code
    factory_user = factory.user("compliance")
    page = phone(axe=True)
    failures: list[str] = []

    def visit(path: str, label: str) -> None:
        separator = "&" if "?" in path else "?"
        page.goto(f"{live_server}{path}{separator}lang={lang}")
        _check(page, axe, failures, label)

    visit("/", "start page")
    visit("/s?code=ZZ", "site code not found")
    visit(f"/s/{code}", "site page")
    visit("/login", "login")
    visit("/no-such-page", "404")
    visit(f"/s/{code}/survey/{campaigns['closed']}", "closed campaign")
    visit(f"/c/{campaigns['token']}", "invitation over two sites")

    # The survey, every kind of screen it has: start, questions, an error, finish, thanks.
    visit(f"/s/{code}/survey/{campaigns['open']}", "survey start")
    _submit(page)
    seen: set[tuple[str, ...]] = set()
    for _ in range(60):
        if "/finish" in page.url:
            break
        kinds = tuple(
            sorted(
                {
                    element.get_attribute("type") or element.evaluate("e => e.tagName")
                    for element in page.locator("form.survey .question input, textarea").all()
                }
            )
        )
        if not seen:
            _submit(page, "form.survey button[type=submit]")  # nothing answered: an error
            if page.locator(".error-summary").count():
                _check(page, axe, failures, "survey screen with an error")
        if kinds not in seen:
            seen.add(kinds)
            _check(page, axe, failures, f"survey screen {kinds}")
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("input").first.check()
        for number in page.locator("input.number").all():
            number.fill("40")
        _submit(page, "form.survey button[type=submit]")
    assert "/finish" in page.url
    _check(page, axe, failures, "survey finish")
    _submit(page)
    assert page.url.endswith("/thanks")
    _check(page, axe, failures, "survey thanks")

    # The grievance channel: who, the form with an error, the receipt, follow-up, thread.
    visit(f"/s/{code}/report", "report: who are you")
    visit("/report?who=community", "general report form")
    visit(f"/s/{code}/report?who=worker", "report form")
    _submit(page)
    _check(page, axe, failures, "report form with errors")
    page.locator('label[for="category-0"]').click()
    page.locator("#description").fill("পাসপোর্ট রেখে দিয়েছে" if lang == "bn" else "Passports kept.")
    _submit(page)
    receipt = page.locator(".receipt-number").inner_text()
    _check(page, axe, failures, "receipt")
    visit(f"/s/{code}/follow-up", "follow-up")
    page.locator("#receipt").fill("1234 5678 9012 3456 7890")
    _submit(page)
    _check(page, axe, failures, "follow-up: wrong number")
    page.locator("#receipt").fill(receipt)
    _submit(page)
    _check(page, axe, failures, "thread")
    # After the case is closed, the reporter is asked whether the outcome was satisfactory.
    with app.app_context():
        case = db.session.scalar(select(Grievance).order_by(Grievance.id.desc()))
        handler = db.session.get(type(factory_user), factory_user.id)
        for status in ("investigating", "resolved", "closed"):
            grievance_services.change_status(case, handler, status)
    visit(f"/s/{code}/follow-up", "follow-up again")
    page.locator("#receipt").fill(receipt)
    _submit(page)
    assert page.locator('input[name="satisfaction"]').count() > 0
    _check(page, axe, failures, "thread of a closed case, with the satisfaction question")
    assert failures == []


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _answer_screen_by_keyboard(page) -> None:
    """Tab through one survey screen answering each question (Space picks the focused choice
    of a group that has none yet; numbers are typed) until the Next button has the focus."""
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                       const group = e.name ? document.getElementsByName(e.name) : [];
                       return {tag: e.tagName, type: e.type || "", cls: e.className,
                               next: e.matches("form.survey button[type=submit]"),
                               answered: [...group].some(g => g.checked)}; }"""
        )
        if focused["next"]:
            return
        if focused["type"] in ("radio", "checkbox") and not focused["answered"]:
            page.keyboard.press("Space")
        elif "number" in focused["cls"]:
            page.keyboard.type("40")
    raise AssertionError(f"Tab never reached Next on {page.url}")


def _focus_ring_visible(page) -> bool:
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"""
    )
    return (style[0] != "none" and style[1] != "0px") or style[2] != "none"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_keyboard_only_survey_and_grievance(app, live_server, phone, campaigns, lang):
    code = campaigns["site"].code
    page = phone(locale="ar" if lang == "ar" else "en-US")

    # Survey: from the site page to the thanks page without a pointer.
    page.goto(f"{live_server}/s/{code}?lang={lang}")
    _tab_to(page, f'a[href*="/survey/{campaigns["open"]}"]')
    assert _focus_ring_visible(page)
    _press_enter_and_wait(page)
    _tab_to(page, "main form button[type=submit]")
    _press_enter_and_wait(page)
    for _ in range(60):
        if "/finish" in page.url:
            break
        _answer_screen_by_keyboard(page)
        assert _focus_ring_visible(page)
        _press_enter_and_wait(page)
        assert page.locator(".error-summary").count() == 0, page.url
    assert "/finish" in page.url
    _tab_to(page, "main form button[type=submit]")
    _press_enter_and_wait(page)
    assert page.url.endswith("/thanks")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1

    # Grievance: choose who, pick a category, describe, send, read the receipt.
    page.goto(f"{live_server}/s/{code}/report?lang={lang}")
    _tab_to(page, "input[name=who]")
    page.keyboard.press("Space")
    _tab_to(page, "main form button[type=submit]")
    _press_enter_and_wait(page)
    _tab_to(page, "input[name=category]")
    page.keyboard.press("Space")
    _tab_to(page, "#description")
    page.keyboard.type("Keyboard only: wages late.")
    _tab_to(page, "main form button[type=submit]")
    _press_enter_and_wait(page)
    assert page.locator(".receipt-number").count() == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Grievance)) == 1
