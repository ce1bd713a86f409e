"""The survey fixtures (``deploy``) serve the matrix tests too."""

from tests.surveys.conftest import deploy  # noqa: F401 (re-exported fixture)
