"""Waiting in browser tests for something only the page's own scripts can tell."""

import time


def wait_until(page, expression, *, timeout=10):
    """Wait until the JavaScript `expression` is true on `page`; fail after `timeout` seconds.

    Playwright's wait_for_function polls with eval(), which the site's Content Security Policy
    (script-src 'self') forbids; page.evaluate goes through the browser's debugging protocol instead.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still not true after {timeout} s: {expression}"
        page.wait_for_timeout(100)
