"""Make the README's screenshots (`make screenshots`): docs/screenshots/*.png.

A throwaway SQLite database gets the demo data, the development server serves it, and Debian's
Chromium (as the browser tests drive it) visits each page in the size its users see it in.
`python docs/screenshots.py NAME …` makes only the shots named (`home-phone-zh intake-phone-zh`).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

from clinic.lib.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PHONE, TABLET, DESKTOP = (390, 844), (820, 1180), (1440, 900)
DEMO_PASSWORD = "acuflow-demo"  # noqa: S105 - the published demo password (clinic/demo.py)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)  # noqa: S603


def _wait_for(url, server):
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("The development server stopped before answering.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer.")


def _sign_in(page, base, username, then):
    page.goto(f"{base}/accounts/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{then}")


def _shots(base):
    """Yield (file name, viewport, function(page) that opens the page to show)."""

    def home(page):
        page.goto(f"{base}/")

    def intake(page):
        page.goto(f"{base}/assessment/")

    def home_chinese(page):
        page.goto(f"{base}/zh-hans/")

    def intake_chinese(page):
        page.goto(f"{base}/zh-hans/assessment/")

    def patient_page(page):
        _sign_in(page, base, "demo-practitioner", "/practice/")
        page.locator("table a[href^='/practice/patients/']").first.click()
        page.wait_for_selector("#plan-panel")

    def outcomes_phone(page):
        page.goto(f"{base}/articles/our-outcome-figures/")
        page.locator(".cohort-embed").scroll_into_view_if_needed()

    def outcomes_phone_chinese(page):
        page.goto(f"{base}/zh-hans/articles/our-outcome-figures/")
        page.locator(".cohort-embed").scroll_into_view_if_needed()

    def dashboard(page):
        _sign_in(page, base, "demo-lead", "/admin/outcomes/")
        page.wait_for_selector("#outcomes-charts canvas")

    yield "home-phone", PHONE, home, False
    yield "intake-phone", PHONE, intake, False
    yield "home-phone-zh", PHONE, home_chinese, False
    yield "intake-phone-zh", PHONE, intake_chinese, False
    yield "outcomes-phone", PHONE, outcomes_phone, False
    yield "outcomes-phone-zh", PHONE, outcomes_phone_chinese, False
    yield "patient-page", TABLET, patient_page, False
    yield "dashboard", DESKTOP, dashboard, False


def main(names=()):
    """Make every shot, or only those named."""
    from playwright.sync_api import sync_playwright

    unknown = set(names) - {name for name, *_ in _shots("")}
    if unknown:
        raise SystemExit(f"No such screenshot: {', '.join(sorted(unknown))}.")

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium package.")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{scratch}/screenshots.sqlite3"}
        _manage(env, "migrate", "--noinput", stdout=subprocess.DEVNULL)
        _manage(env, "seed_demo", stdout=subprocess.DEVNULL)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{base}/healthz", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, (width, height), show, full_page in _shots(base):
                    if names and name not in names:
                        continue
                    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    show(page)
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
                    context.close()
                    print(f"docs/screenshots/{name}.png")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1:])
