"""The survey fixtures (``deploy``) serve the upload tests too."""

from tests.surveys.conftest import deploy  # noqa: F401 (re-exported fixture)
