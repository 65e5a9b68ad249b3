"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.browser.helpers import PHONE

CHROMIUM = os.environ.get("HOUQIN_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN", "is_mobile": True}


@pytest.fixture
def phone(page, live_server):
    """A phone-sized page with ``phone.url(path)`` for the live server."""
    page.set_default_timeout(10_000)
    page.url_for = lambda path: f"{live_server.url}{path}"
    return page


@pytest.fixture
def console_errors(phone):
    """The errors the page logs or throws while the test runs (it asserts there are none)."""
    errors = []
    phone.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    phone.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    """Uploads go to a temporary folder, served by Django itself."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOUQIN_ACCEL_REDIRECT_PREFIX = ""
