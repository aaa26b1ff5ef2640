"""Headless Debian Chromium driven by Playwright, against pytest-django's live server.

These tests never skip: without Chromium or Playwright they fail and say what
is missing. ``runtests.py`` (and so ``.ci/run``) installs Debian's chromium
package when it is missing; tox's ``browser`` environment installs Playwright.
Screenshots of every page visited are kept in ``artifacts/browser/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's synchronous API runs an event loop in this thread; Django then
# refuses ORM calls from it unless told that this test process is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts" / "browser"))
# As root in a container Chromium needs --no-sandbox; the rest keep it off a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[Any]) -> None:
    if settings.SETTINGS_MODULE != "tests.settings_browser":
        raise pytest.UsageError("Run the browser tests with --ds=tests.settings_browser (tox -e browser).")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session; a failure, not a skip, when it cannot start."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"Playwright for Python is not installed ({exc}); run the browser tests with `tox -e browser`.")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}. Install Debian's package (`apt-get install chromium`; "
            "runtests.py does it when run as root) or set CHROMIUM_PATH."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Screenshots:
    """Saves a full-page screenshot per step, named after the test and the step."""

    def __init__(self, test_name: str) -> None:
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")
        self.count = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Any, step: str) -> Path:
        self.count += 1
        path = ARTIFACTS / f"{self.prefix}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshot(request: Any) -> Screenshots:
    return Screenshots(request.node.name)
