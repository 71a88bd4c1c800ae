"""Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against the live server.

Screenshots go to $ARTIFACTS_DIR (default test-artifacts/) so that people can look at them.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told that this is safe (it is: the test drives the browser and the DB in turn).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(
        os.environ.get("ARTIFACTS_DIR", Path(__file__).resolve().parents[2] / "test-artifacts")
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, artifacts_dir):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot(page, artifacts_dir, request):
    """shot("name") saves a full-page screenshot named after the test."""

    def take(name: str) -> Path:
        path = artifacts_dir / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, live_server, email: str, password: str = "demo") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()
