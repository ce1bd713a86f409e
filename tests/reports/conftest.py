"""Evidence packs are built within the request in these tests (one test starts the thread)."""

import pytest


@pytest.fixture(autouse=True)
def _packs_in_the_request(app):
    previous = app.config["REPORTS_PACK_IN_BACKGROUND"]
    app.config["REPORTS_PACK_IN_BACKGROUND"] = False
    yield
    app.config["REPORTS_PACK_IN_BACKGROUND"] = previous
