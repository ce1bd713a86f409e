"""Browser fixtures live in tests/browser/fixtures.py, loaded for the whole suite by
tests/conftest.py (pytest_plugins), so every capability's browser tests can use them."""
