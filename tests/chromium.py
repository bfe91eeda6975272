"""Chromium for the browser tests, through Playwright.

Importing this skips the importing test module when /usr/bin/chromium is missing, except in
CI (CI=true), where a missing browser must fail instead. Data goes into the database before
``launch()``: Django refuses ORM calls inside Playwright's event loop.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if os.environ.get("CI") != "true" and not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402

# CI shares two cores with PostgreSQL and the live server: allow a loaded machine 15 s (not
# Playwright's 5 s) before an expectation fails.
expect.set_options(timeout=15_000)


@contextmanager
def launch() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
