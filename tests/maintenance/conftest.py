"""The survey fixtures (``deploy``) build maintenance test data through the real services."""

from tests.surveys.conftest import deploy  # noqa: F401 (re-exported fixture)
