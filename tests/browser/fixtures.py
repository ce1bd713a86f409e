"""Browser fixtures: the app on a free loopback port, driven by Debian's chromium.

Browser tests skip with a reason where chromium (or axe-core) is missing, unless
PORTAL_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import ROOT

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 360, "height": 640}


def _unavailable(reason: str):
    if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PORTAL_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        _unavailable("Debian chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("Python Playwright is not installed")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served by werkzeug on 127.0.0.1 and a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone(browser):
    """Factory for 360×640 pages; JavaScript is off unless asked for."""
    contexts = []

    def open_page(*, javascript: bool = False, locale: str = "en-US", axe: bool = False):
        # Injecting axe-core is an inline script, which our CSP rightly blocks: only the
        # accessibility check bypasses the CSP, never the other browser tests.
        context = browser.new_context(
            viewport=PHONE,
            java_script_enabled=javascript or axe,
            locale=locale,
            device_scale_factor=1,
            bypass_csp=axe,
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def axe():
    if not AXE.exists():
        _unavailable("axe-core is not installed (npm ci)")

    def run(page) -> list[str]:
        page.add_script_tag(path=str(AXE))
        return page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations
                    .filter(v => ['serious', 'critical'].includes(v.impact))
                    .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target).join(' | ')}`);
            }"""
        )

    return run


@pytest.fixture
def artifact():
    ARTIFACTS.mkdir(exist_ok=True)

    def path(name: str) -> Path:
        return ARTIFACTS / name

    return path
