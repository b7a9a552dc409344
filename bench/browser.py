"""The headless Chromium that the browser tests (tests/conftest.py) and the wall benchmark launch.

One place for the executable and its flags, so a test and a measurement run the same browser.
"""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("FACILITATOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def launch(playwright):
    """Debian's Chromium, headless, with the flags above (a Playwright `Browser`)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def log_in(page, email: str, password: str) -> None:
    """Log a page in through the real login form and wait for the dashboard."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/workshops")
