"""The survey deployment fixture (``deploy``) of tests/surveys, for the anonymity audit."""

from tests.surveys.conftest import deploy  # noqa: F401
