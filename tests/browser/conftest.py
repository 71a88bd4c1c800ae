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
def chromium(django_db_setup, django_db_blocker):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Starting Playwright's sync API switches the context that Django's per-context connection
    # handler keys on: the test then sees new connection objects, without the serialized
    # reference data (migrations' rows) that serialized_rollback restores after another
    # transactional test has flushed the database. Hand those contents over.
    with django_db_blocker.unblock():
        serialized = {
            alias: connections[alias]._test_serialized_contents
            for alias in connections
            if hasattr(connections[alias], "_test_serialized_contents")
        }
    with sync_playwright() as playwright:
        with django_db_blocker.unblock():
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
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
    # The POST and its redirect must finish before the caller navigates on: a goto() right after
    # a bare click() can abort the sign-in request.
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()


def sign_out(page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button").click()


SERIOUS = {"serious", "critical"}


def axe_problems(page) -> list[str]:
    """Violations of impact serious or critical on the current page, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in SERIOUS:
            continue
        for node in violation["nodes"]:
            problems.append(
                f"{page.url} [{violation['impact']}] {violation['id']}: {violation['help']} "
                f"at {node['target']}: {node.get('failureSummary', '').strip()}"
            )
    return problems


@pytest.fixture
def look(page, shot):
    """look("name"): a screenshot and an axe-core check of the page as it is now; call
    ``look.assert_accessible()`` at the end of the test."""
    problems = []

    def take(name: str):
        path = shot(name)
        problems.extend(axe_problems(page))
        return path

    def assert_accessible():
        assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)

    take.assert_accessible = assert_accessible
    return take
