"""Anonymous intake for every stakeholder group, with and without a site code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.grievances import receipts
from portal.grievances.labels import CATEGORIES_FOR
from portal.grievances.models import REPORTER_GROUPS, Grievance, GrievanceMessage
from tests.grievances.helpers import ENVIRON, HEADERS, latest_case, report


@pytest.fixture
def site(factory):
    return factory.site(factory.supplier("Dhaka Knit", "BD"), "Dhaka Knit Unit 2", languages=["bn"])


def test_site_page_offers_report_and_follow_up(client, site):
    page = client.get(f"/s/{site.code}?lang=en").data.decode()
    assert f'href="/s/{site.code}/report"' in page
    assert f'href="/s/{site.code}/follow-up"' in page
    assert "Report a problem" in page and "Follow up on a report" in page


@pytest.mark.parametrize("who", sorted(REPORTER_GROUPS))
@pytest.mark.parametrize("with_site", [True, False], ids=["site-code", "general-entry"])
def test_intake_for_each_stakeholder_group(app, client, site, who, with_site):
    code = site.code if with_site else None
    category = CATEGORIES_FOR[who][0]
    receipt = report(client, code=code, who=who, category=category)
    assert len(receipt.split()) == 5 and all(len(part) == 4 for part in receipt.split())
    case = latest_case(app)
    assert case.reporter == who and case.stakeholder_group == REPORTER_GROUPS[who]
    assert case.category == category
    assert case.status == "new"
    if with_site:
        assert case.site_id == site.id and case.reported_place is None
    else:
        assert case.site_id is None and case.reported_place == "Blue Star Garments, Ashulia"
    with app.app_context():
        assert case.receipt_hmac == receipts.receipt_hmac(receipts.normalise(receipt))
        ack = db.session.scalars(
            select(GrievanceMessage).where(GrievanceMessage.grievance_id == case.id)
        ).one()
        assert ack.author == "system"


def test_choose_step_lists_groups_and_category_list_adapts(client, site):
    page = client.get(f"/s/{site.code}/report?lang=en").data.decode()
    for key in REPORTER_GROUPS:
        assert f'value="{key}"' in page
    supplier_page = client.get(f"/s/{site.code}/report?who=supplier_staff").data.decode()
    worker_page = client.get(f"/s/{site.code}/report?who=worker").data.decode()
    assert 'value="late_payment"' in supplier_page and 'value="late_payment"' not in worker_page
    assert 'name="reported_place"' not in worker_page  # the site is known
    assert 'name="reported_place"' in client.get("/report?who=worker").data.decode()


def test_who_must_be_chosen(client, site):
    response = client.get(f"/s/{site.code}/report?who=&lang=en")
    assert response.status_code == 400 and "Choose who you are." in response.data.decode()
    assert client.get(f"/s/{site.code}/report?who=boss").status_code == 400


def test_unknown_site_code_is_404(client):
    assert client.get("/s/ZZZZZ/report").status_code == 404


def test_receipt_is_shown_once(client, site):
    client.post(
        f"/s/{site.code}/report",
        data={"who": "worker", "category": "hours", "description": "Sixteen hour shifts daily."},
    )
    first = client.get(f"/s/{site.code}/report/receipt?lang=en").data.decode()
    second = client.get(f"/s/{site.code}/report/receipt?lang=en").data.decode()
    assert 'class="receipt-number"' in first and "Write this number down" in first
    assert 'class="receipt-number"' not in second and "already been shown" in second


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "Tell us what happened."),
        ({"description": "   \t  "}, "Tell us what happened."),
        ({"description": "!!!!!!!!!!!!!!!!!!!!"}, "at least 10 letters"),
        ({"description": "aaaaaaaaaaaaaaaaaaaaaaaa"}, "at least 10 letters"),
        ({"description": "x" * 5001}, "5000"),
        ({"category": ""}, "Choose what the problem is about."),
        ({"category": "nonsense"}, "Not a valid choice"),
        ({"wants_contact": "y", "contact": ""}, "Write how we can reach you"),
        ({"contact": "+880 1711"}, "Tick the box"),
        ({"reported_place": ""}, "Name the workplace"),
        ({"occurred_when": "y" * 201}, "200"),
        ({"others_affected": "everyone"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_explained_and_kept(app, client, fields, message):
    data = {
        "who": "worker",
        "category": "wages",
        "description": "Our wages are always two weeks late.",
        "reported_place": "Blue Star Garments, Ashulia",
    }
    data.update(fields)
    response = client.post("/report?lang=en", data=data)
    assert response.status_code == 400
    page = response.data.decode()
    assert message in page
    assert "Please correct the following" in page
    if fields.get("description", "") and len(fields["description"]) < 100:
        assert fields["description"].strip() in page or not fields["description"].strip()
    assert "Blue Star Garments" in page or fields.get("reported_place") == ""
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Grievance.id))) == 0


def test_error_messages_are_translated(client):
    response = client.post("/report?lang=ar", data={"who": "worker", "description": ""})
    assert response.status_code == 400
    assert 'dir="rtl"' in response.data.decode()


def test_control_characters_are_dropped_and_typed_text_kept(app, client, site):
    report(
        client,
        code=site.code,
        description="Supervisor\x00 took our\x1b passports\u200b in March.",
        occurred_where="Dormitory B",
        others_affected="many",
    )
    case = latest_case(app)
    assert "\x00" not in case.description and "\x1b" not in case.description
    assert case.occurred_where == "Dormitory B" and case.others_affected == "many"


def test_call_back_contact_is_off_by_default_and_encrypted(app, client, site):
    report(client, code=site.code)
    assert latest_case(app).contact_encrypted is None
    report(client, code=site.code, wants_contact="y", contact="+880 1711 223344")
    case = latest_case(app)
    assert case.contact_encrypted and "1711" not in case.contact_encrypted
    with app.app_context():
        assert receipts.decrypt_contact(case.contact_encrypted) == "+880 1711 223344"


def test_stored_times_are_days_and_the_clock_is_an_hour(app, client, site):
    report(client, code=site.code)
    case = latest_case(app)
    assert type(case.received_on).__name__ == "date"
    clock = case.clock_started_at
    assert (clock.minute, clock.second, clock.microsecond) == (0, 0, 0)


def test_garbage_never_crashes(client, site):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        who=st.sampled_from([*REPORTER_GROUPS, "", "x"]),
        category=st.text(max_size=20),
        description=st.text(max_size=300),
        place=st.text(max_size=50),
        contact=st.text(max_size=30),
        wants=st.sampled_from(["", "y", "on", "nonsense"]),
    )
    def run(who, category, description, place, contact, wants):
        data = {
            "who": who,
            "category": category,
            "description": description,
            "reported_place": place,
            "contact": contact,
            "wants_contact": wants,
        }
        response = client.post("/report", data=data, environ_base=ENVIRON, headers=HEADERS)
        assert response.status_code in (302, 400)

    run()


def test_joiners_that_spell_words_survive(app, client, site):
    # "ক্‍ষ" needs the zero-width joiner; Urdu "میں‌نے" the non-joiner; U+202E must go.
    bengali, urdu = "ক্\u200dষতিপূরণ দেয়নি", "میں\u200cنے شکایت کی"
    report(client, code=site.code, description=f"{bengali} {urdu} \u202eoverride")
    description = latest_case(app).description
    assert bengali in description and urdu in description
    assert "\u202e" not in description
