"""Front desk reviews intakes in admin on a laptop and a tablet, in real Chromium: every column that
matters is on screen and no safety flag is cut."""

import pytest

from patients.models import Condition, IntakeSubmission, Patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each column's right edge, the table's box, and any badge that pokes out of its cell.
LAYOUT = """() => {
  const box = document.querySelector('#changelist .results').getBoundingClientRect();
  const columns = Object.fromEntries([...document.querySelectorAll('#result_list thead th')]
    .map(th => [(th.querySelector('.text') || th).textContent.trim(), Math.round(th.getBoundingClientRect().right)]));
  const cut = [...document.querySelectorAll('#result_list .acuflow-badge')]
    .filter(b => b.getBoundingClientRect().right > b.closest('td').getBoundingClientRect().right + 1)
    .map(b => b.textContent);
  return {right: Math.round(box.right), viewport: window.innerWidth, columns, cut,
          page: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("width, height", [(1440, 900), (820, 1180)])
def test_front_desk_sees_every_column_and_every_flag_of_the_intake_list(
    browser, browser_settings, live_server, front_desk, width, height, enter_code
):
    patient = Patient.objects.create(
        first_name="Ana",
        last_name="Lopez Fernández de la Vega",
        condition=Condition.objects.get(slug="post-covid-microvascular-dysfunction"),
        **dict.fromkeys(["pregnant", "blood_thinners", "bleeding_disorder", "implanted_device", "metal_allergy"], True),
    )
    IntakeSubmission.objects.create(patient=patient, answers={"first_name": "Ana"}, form_version="2026.1")
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/patients/intakesubmission/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    enter_code(page, front_desk)
    page.wait_for_url("**/admin/patients/intakesubmission/")

    layout = page.evaluate(LAYOUT)
    context.close()
    assert set(layout["columns"]) >= {"Submitted", "Reference", "Name", "Review", "Safety flags", "Condition"}
    # Every column ends inside the list's box, and the box inside the window: nothing off screen.
    assert max(layout["columns"].values()) <= layout["right"] <= layout["viewport"], layout
    assert layout["page"] <= layout["viewport"]
    assert layout["cut"] == [], "every safety badge is whole"
