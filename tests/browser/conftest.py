"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots land in ``test-artifacts/`` so a reviewer can see what the user saw.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    ViewportSize,
    sync_playwright,
)

from tests.conftest import LIVE_REQUESTS

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to
# arrange data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HADIR_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def live_server_quiet_before_the_flush(live_server: Any, transactional_db: None) -> Iterator[None]:
    """After each test (its pages closed first, being set up later), wait for the live server's
    last request before the database is emptied under it."""
    yield
    LIVE_REQUESTS.wait_until_quiet()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    """An office computer's page, Indonesian locale (downloads allowed, for exports)."""
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized page (a cheap Android in portrait), Indonesian locale."""
    context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


GeolocatedPhone = Callable[[float, float, float], Page]


@pytest.fixture
def geolocated_phone(browser: Browser) -> Iterator[GeolocatedPhone]:
    """``geolocated_phone(lat, lng, accuracy_m)``: a phone page whose GPS reports that fix.

    Location access is granted, as a user would for the check-in page; move the phone with
    ``page.context.set_geolocation(...)``. Map tiles are refused so the test never leaves the
    machine (the page draws its circles without them).
    """
    contexts: list[BrowserContext] = []

    def open_phone(latitude: float, longitude: float, accuracy_m: float) -> Page:
        context = browser.new_context(
            viewport=PHONE,
            locale="id-ID",
            is_mobile=True,
            has_touch=True,
            geolocation={"latitude": latitude, "longitude": longitude, "accuracy": accuracy_m},
            permissions=["geolocation"],
        )
        context.route("https://tile.openstreetmap.org/**", _refuse)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def _refuse(route: Route) -> None:
    route.abort()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``screenshot(page, "step")`` saves test-artifacts/<test name>-<step>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Page, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
