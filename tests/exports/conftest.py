"""The survey fixtures (``deploy``) serve the export tests too."""

import pytest

from tests.factories import login
from tests.surveys.conftest import deploy  # noqa: F401 (re-exported fixture)


@pytest.fixture
def compliance(app, factory):
    """A test client signed in as compliance (every export test downloads as one)."""
    client = app.test_client()
    assert login(client, factory.user("compliance")).status_code == 302
    return client
