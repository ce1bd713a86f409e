"""The browser fixtures (live_server, phone, axe, artifact) for tests/grievances/test_browser.py."""

from tests.browser.conftest import *  # noqa: F403
