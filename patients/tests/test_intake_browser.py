"""A patient fills in the free assessment on a phone, in real Chromium."""

import pytest
from playwright.sync_api import expect

from clinic.tests.waiting import wait_until
from patients.forms import SAFETY_QUESTIONS
from patients.models import IntakeSubmission, Patient

pytestmark = pytest.mark.browser


def _fill_about_you(page, *, email="ana.lopez@example.org"):
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Núñez")
    page.get_by_label("Date of birth").fill("1980-03-31")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number (optional)").fill("+44 20 7946 0000")


def _fill_the_rest(page):
    page.get_by_label("What would you like help with?").select_option(label="Raynaud's Phenomenon")
    page.get_by_role("group", name="How long have you had it?").get_by_label("1 to 5 years").check()
    page.get_by_label("Cold hands or feet").check()
    page.get_by_label("Numbness or tingling").check()
    page.get_by_label("Medicines you take now (optional)").fill("Amlodipine 5 mg")
    for field, question in SAFETY_QUESTIONS.items():
        answer = "Yes" if field == "metal_allergy" else "No"
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="Have you had acupuncture before?").get_by_label("Not sure").check()
    page.get_by_label("I agree that the clinic may contact me").check()


def test_a_patient_on_a_phone_completes_the_assessment(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Book your free assessment").click()
    page.wait_for_url("**/assessment/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    screenshot(page, "intake-phone-empty")

    _fill_about_you(page)
    _fill_the_rest(page)
    assert not page.get_by_label("I agree that my anonymised measurements").is_checked()
    screenshot(page, "intake-phone-filled")
    page.get_by_role("button", name="Send my assessment").click()

    page.wait_for_url("**/assessment/thanks/**")
    patient = Patient.objects.get()
    expect(page.get_by_role("heading", name="Thank you, Zoë")).to_be_visible()
    assert page.locator("#reference").inner_text() == patient.intake_submissions.get().public_reference
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    screenshot(page, "intake-phone-thanks")

    assert (patient.first_name, patient.last_name) == ("Zoë", "Núñez")
    assert patient.metal_allergy and not patient.pregnant
    assert patient.symptoms == ["cold_extremities", "numbness"]
    assert IntakeSubmission.objects.count() == 1


def test_a_patient_who_makes_a_mistake_sees_it_beside_the_field_with_everything_kept(
    phone_page, live_server, screenshot
):
    page = phone_page
    page.goto(live_server.url + "/assessment/")
    _fill_about_you(page, email="ana.lopez@example")
    _fill_the_rest(page)
    page.get_by_role("button", name="Send my assessment").click()

    summary = page.get_by_role("alert")
    assert "Please check 1 answer" in summary.inner_text()
    # Keyboard and screen-reader users land on the list of problems.
    wait_until(page, "document.activeElement.id === 'error-summary'")
    error = page.locator("#id_email_error")
    assert error.is_visible() and "Enter an email address like name@example.com." in error.inner_text()
    email = page.get_by_label("Email address")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_email_error" in email.get_attribute("aria-describedby")
    screenshot(page, "intake-phone-error")

    # Everything else is still filled in.
    assert page.get_by_label("First name").input_value() == "Zoë"
    assert page.get_by_label("Last name").input_value() == "Núñez"
    assert page.get_by_label("Date of birth").input_value() == "1980-03-31"
    assert page.get_by_label("Medicines you take now (optional)").input_value() == "Amlodipine 5 mg"
    assert page.get_by_label("Cold hands or feet").is_checked()
    assert page.get_by_role("group", name="Are you allergic to any metal").get_by_label("Yes").is_checked()
    assert page.get_by_label("I agree that the clinic may contact me").is_checked()
    assert not Patient.objects.exists()

    # The link in the summary takes them to the field; they fix it and send.
    summary.get_by_role("link", name="Email address").click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    email.fill("ana.lopez@example.org")
    page.get_by_role("button", name="Send my assessment").click()
    page.wait_for_url("**/assessment/thanks/**")
    assert Patient.objects.get().email == "ana.lopez@example.org"


def test_the_form_can_be_completed_with_the_keyboard_alone(tablet_page, live_server):
    page = tablet_page
    page.goto(live_server.url + "/assessment/")
    page.get_by_label("First name").focus()
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("Lopez")
    assert page.evaluate("document.activeElement.id") == "id_last_name"
    # The hidden bot trap is never a tab stop.
    stops = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        stops.add(page.evaluate("document.activeElement.name || document.activeElement.id"))
    assert "website" not in stops
    assert {"pregnant", "contact_consent", "research_consent"} <= stops


def test_sending_again_after_the_back_button_stores_nothing_more(phone_page, live_server):
    page = phone_page
    page.goto(live_server.url + "/assessment/")
    _fill_about_you(page)
    _fill_the_rest(page)
    page.get_by_role("button", name="Send my assessment").click()
    page.wait_for_url("**/assessment/thanks/**")
    reference = page.locator("#reference").inner_text()

    page.go_back()
    page.wait_for_url("**/assessment/")
    assert page.get_by_label("Medicines you take now (optional)").input_value() == "Amlodipine 5 mg"
    page.get_by_role("button", name="Send my assessment").click()

    page.wait_for_url("**/assessment/thanks/**")
    assert page.locator("#reference").inner_text() == reference
    assert IntakeSubmission.objects.count() == 1
    assert not IntakeSubmission.objects.get().matched_existing_patient


def test_going_back_from_the_thanks_page_after_a_mistake_shows_the_form_and_sends_nothing(phone_page, live_server):
    page = phone_page
    page.goto(live_server.url + "/assessment/")
    _fill_about_you(page, email="ana.lopez@example")
    _fill_the_rest(page)
    page.get_by_role("button", name="Send my assessment").click()
    page.get_by_role("alert").wait_for()
    page.get_by_label("Email address").fill("ana.lopez@example.org")
    page.get_by_role("button", name="Send my assessment").click()
    page.wait_for_url("**/assessment/thanks/**")

    posted = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    # Without care the entry behind the thanks page is the answer to a POST: Chrome would offer
    # "Confirm Form Resubmission" (ERR_CACHE_MISS) or post the answers again.
    response = page.go_back()
    page.wait_for_url("**/assessment/")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", name="Free assessment").is_visible()
    assert page.get_by_role("button", name="Send my assessment").is_enabled()
    assert posted == []
    assert IntakeSubmission.objects.count() == 1
