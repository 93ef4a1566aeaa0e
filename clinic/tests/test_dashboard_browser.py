"""The outcomes dashboard in a real browser: the chart draws under the strict CSP, on a tablet and a phone."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from clinic.demo import demo_patients_create, demo_users_create
from clinic.tests.waiting import wait_until

pytestmark = pytest.mark.browser


def _log_in_as_lead(page, live_server, enter_code):
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "demo-lead")
    page.fill("#id_password", "acuflow-demo")
    page.click("input[type=submit]")
    enter_code(page, User.objects.get(username="demo-lead"))
    page.wait_for_url("**/admin/")


def test_the_lead_reaches_the_dashboard_from_the_admin_index_and_sees_the_charts(
    tablet_page, live_server, screenshot, enter_code
):
    demo_users_create()
    demo_patients_create(count=150)
    page = tablet_page
    errors = []

    def note_error(message):
        if message.type == "error":
            errors.append(f"{message.text} {message.location}")

    page.on("console", note_error)
    _log_in_as_lead(page, live_server, enter_code)
    page.get_by_role("link", name="Cohort outcomes").click()
    page.wait_for_url("**/admin/outcomes/")
    assert page.locator("#outcomes-table tbody tr").count() >= 5
    wait_until(page, "document.querySelectorAll('#outcomes-charts canvas').length >= 5")
    assert not errors, errors
    tensions = page.evaluate(
        "[...document.querySelectorAll('#outcomes-charts canvas')]"
        ".flatMap(c => Chart.getChart(c).data.datasets.map(d => d.tension))"
    )
    assert set(tensions) == {0}, "lines between session means are straight, never overshooting curves"
    scales = page.evaluate(
        "[...document.querySelectorAll('#outcomes-charts canvas')]"
        ".map(c => [Chart.getChart(c).scales.y.min, Chart.getChart(c).scales.y.max])"
    )
    assert len(set(map(tuple, scales))) == 1, f"every condition on one SpO₂ scale, not {scales}"
    low, high = scales[0]
    assert high <= 100 and high - low <= 12
    screenshot(page, "outcomes-dashboard-tablet")

    page.select_option("#id_reading", "pre")
    page.fill("#id_sessions", "4")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**reading=pre**")
    assert page.locator("#outcomes-table th", has_text="SpO₂ at session 4 (before)").count() == 1


def test_the_dashboard_fits_a_phone(phone_page, live_server, screenshot, enter_code):
    demo_users_create()
    demo_patients_create(count=60)
    page = phone_page
    _log_in_as_lead(page, live_server, enter_code)
    page.goto(live_server.url + "/admin/outcomes/")
    wait_until(page, "document.querySelectorAll('#outcomes-charts canvas').length >= 1")
    # Wide tables scroll inside their box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "outcomes-dashboard-phone")


def test_the_lead_imports_a_file_from_admin_after_reading_the_dry_run(
    tablet_page, live_server, screenshot, tmp_path, enter_code
):
    from sessions.models import TreatmentSession
    from sessions.tests.test_import import GOOD_FILE

    demo_users_create()
    path = tmp_path / "history.csv"
    path.write_text(GOOD_FILE, encoding="utf-8")
    page = tablet_page
    _log_in_as_lead(page, live_server, enter_code)
    page.goto(live_server.url + "/admin/treatment_sessions/treatmentsession/")
    page.get_by_role("link", name="Import from CSV").click()
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Check the file").click()
    assert "3 rows: 3 new sessions and 0 existing sessions" in page.locator("#import-summary").inner_text()
    screenshot(page, "import-dry-run-tablet")
    assert not TreatmentSession.objects.exists()
    page.get_by_role("button", name="Import these 3 rows").click()
    page.wait_for_url("**/treatmentsession/import/*/")
    expect(page.get_by_text("Imported history.csv as demo-lead.")).to_be_visible()
    assert TreatmentSession.objects.count() == 3
