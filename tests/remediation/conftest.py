"""The survey fixtures (``deploy``) serve the questionnaire-answer plans too."""

from tests.surveys.conftest import deploy  # noqa: F401 (re-exported fixture)
