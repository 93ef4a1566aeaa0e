"""A practitioner on a tablet in real Chromium: sign in, log a session, fix a mistake, see it in table and chart."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.tests.factories import PatientFactory
from sessions.models import TreatmentSession
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_logs_a_session_on_a_tablet_and_fixes_an_out_of_range_reading(
    tablet_page, live_server, practitioner, screenshot, enter_code
):
    patient = PatientFactory(practitioner=practitioner, first_name="Ada", last_name="Lovelace", pregnant=True)
    TreatmentSessionFactory(patient=patient, number=1, spo2_pre=93, spo2_post=95)
    page = tablet_page

    # Signing in through the real form, from the link that asked for it.
    page.goto(live_server.url + "/practice/")
    page.wait_for_url("**/accounts/login/?next=/practice/")
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill("correct-horse-battery")
    screenshot(page, "workspace-sign-in-tablet")
    page.get_by_role("button", name="Sign in").click()
    enter_code(page, practitioner)
    page.wait_for_url("**/practice/")
    assert page.get_by_role("heading", name="My patients").is_visible()
    screenshot(page, "workspace-my-patients-tablet")

    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Log session").click()
    assert page.locator("#next-number").inner_text() == "2"

    # Type some points, pick another from the catalogue list, and mistype the SpO₂ reading.
    page.get_by_label("Points", exact=True).fill("li4 sj5")
    finder = page.get_by_label("Find a point by code or name")
    finder.fill("ST36")
    page.get_by_role("button", name="Add", exact=True).click()
    assert page.get_by_label("Points", exact=True).input_value() == "li4 sj5 ST36"
    # A pinyin name finds its code; a name that is no point adds nothing and says why.
    finder.fill("shenmen")
    page.get_by_role("button", name="Add", exact=True).click()
    assert page.get_by_label("Points", exact=True).input_value() == "li4 sj5 ST36 HT7"
    finder.fill("hegux")
    page.get_by_role("button", name="Add", exact=True).click()
    assert (
        page.locator("#point-picker-status").inner_text() == "No point called hegux: choose a suggestion from the list."
    )
    finder.fill("")
    page.get_by_label("Points", exact=True).fill("li4 sj5 ST36")
    page.get_by_text("0.20", exact=True).click()
    page.get_by_label("Retention (minutes)").fill("25")
    page.get_by_label("SpO₂ before (%)").fill("880")
    page.get_by_label("SpO₂ after (%)").fill("94")
    page.get_by_label("Pulse before (bpm)").fill("74")
    page.get_by_label("Pulse after (bpm)").fill("68")
    page.locator("#div_id_warmth_change").get_by_text("Better", exact=True).click()
    page.get_by_role("button", name="Save session").click()

    # The error is shown next to the field, and everything else is still there.
    assert page.get_by_text("SpO₂ before must be a whole number from 50 to 100.").is_visible()
    assert page.get_by_label("Points", exact=True).input_value() == "li4 sj5 ST36"
    assert page.get_by_label("Pulse after (bpm)").input_value() == "68"
    assert page.locator("#id_warmth_change_3").is_checked()
    screenshot(page, "workspace-log-session-error-tablet")

    # LI4 is a pregnancy-caution point and this patient is flagged pregnant: acknowledge, then save.
    page.get_by_label("SpO₂ before (%)").fill("88")
    page.get_by_role("button", name="Save session").click()
    assert page.get_by_text("LI4 is traditionally avoided in pregnancy").is_visible()
    page.get_by_label("I have read the safety warnings").check()
    page.get_by_role("button", name="Save session").click()

    page.wait_for_url(f"**/practice/patients/{patient.patient_ref}/")
    assert page.get_by_text("Session 2 saved.").is_visible()
    assert page.get_by_text("Session 2 has an SpO₂ reading below 90%").is_visible()
    newest = page.locator("#session-table tbody tr").first
    assert newest.locator("th").inner_text() == "2"
    assert newest.locator(".spo2-pre").inner_text() == "88"
    assert "LI4 ST36 TE5" in newest.inner_text() and "Follow up" in newest.inner_text()

    # The chart is drawn, from data that includes the new reading.
    assert page.locator("canvas#session-chart").is_visible()
    chart = page.evaluate(
        "() => { const c = Chart.getChart('session-chart');"
        " return {labels: c.data.labels, before: c.data.datasets[0].data, after: c.data.datasets[1].data}; }"
    )
    assert chart == {"labels": ["Session 1", "Session 2"], "before": [93, 88], "after": [95, 94]}
    # Straight segments between readings: a curve would overshoot values that were never recorded.
    assert page.evaluate("Chart.getChart('session-chart').data.datasets.map(d => d.tension)") == [0, 0, 0, 0]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "workspace-patient-page-tablet")


def test_a_practitioner_amends_an_old_session_on_a_phone_and_sees_the_original_value(
    phone_page, live_server, practitioner, screenshot, enter_code
):
    patient = PatientFactory(practitioner=practitioner, first_name="Grace", last_name="Hopper")
    session = TreatmentSessionFactory(patient=patient, number=1, spo2_pre=93, spo2_post=95)
    TreatmentSession.objects.filter(pk=session.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    page = phone_page

    page.goto(f"{live_server.url}/practice/patients/{patient.patient_ref}/sessions/1/")
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    enter_code(page, practitioner)
    page.wait_for_url(f"**/practice/patients/{patient.patient_ref}/sessions/1/")

    page.get_by_role("link", name="Amend session").click()
    assert page.get_by_role("heading", name="Amend session 1").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("SpO₂ after (%)").fill("97")
    page.get_by_role("button", name="Save changes").click()
    assert page.get_by_text("Say why this session is being amended.").is_visible()
    assert page.get_by_label("SpO₂ after (%)").input_value() == "97"
    screenshot(page, "workspace-amend-session-phone")

    page.get_by_label("Reason for the change").fill("Read the oximeter again after five minutes.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/practice/patients/{patient.patient_ref}/sessions/1/")
    history = page.locator(".amendment").first
    assert "Read the oximeter again after five minutes." in history.inner_text()
    assert history.locator(".original-value").inner_text() == "95"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "workspace-session-history-phone")
