"""The survey fixtures (``deploy``) serve the upload tests too, and ``section``: a supplier
signed in on a questionnaire section that takes an evidence file."""

import pytest

from tests.factories import login
from tests.surveys.conftest import deploy  # noqa: F401 (re-exported fixture)
from tests.surveys.test_saq import SAQ


@pytest.fixture
def section(app, deploy, factory, client):  # noqa: F811 (the fixture above)
    supplier = factory.supplier("Upload Supplier")
    site = factory.site(supplier, "Upload Site", languages=["en"])
    campaign, _ = deploy(SAQ, group="suppliers", sites=[site])
    login(client, factory.user("supplier", supplier=supplier))
    return f"/saq/{campaign.id}/{site.id}/section/1"
