"""A practitioner on a tablet in real Chromium: sign in, log a session, fix a mistake, see it in table and chart."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.tests.waiting import wait_until
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
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
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
    # The other-gauge box appears only for Other.
    other_gauge = page.get_by_label("Other gauge (mm)")
    assert not other_gauge.is_visible()
    page.get_by_text("Other", exact=True).click()
    assert other_gauge.is_visible() and page.evaluate("document.activeElement.id") == "id_needle_gauge_other"
    page.get_by_text("0.20", exact=True).click()
    assert not other_gauge.is_visible()
    page.get_by_label("Retention (minutes)").fill("25")
    page.get_by_label("SpO₂ before (%)").fill("880")
    page.get_by_label("SpO₂ after (%)").fill("94")
    page.get_by_label("Pulse before (bpm)").fill("74")
    page.get_by_label("Pulse after (bpm)").fill("68")
    page.locator("#div_id_warmth_change").get_by_text("Better", exact=True).click()
    # The patient taps their global impression of change.
    page.locator("#div_id_answer_pgic").get_by_text("2: Much improved", exact=True).click()
    page.get_by_role("button", name="Save session").click()

    # Focus is on the list of problems, each a link to its field; the error is also beside the field.
    summary = page.locator("#error-summary")
    summary.wait_for()
    wait_until(page, "document.activeElement.id === 'error-summary'")
    summary.get_by_role("link", name="SpO₂ before (%)").click()
    assert page.evaluate("document.activeElement.id") == "id_spo2_pre"
    assert (
        page.locator("#div_id_spo2_pre").get_by_text("SpO₂ before must be a whole number from 50 to 100.").is_visible()
    )
    assert page.get_by_label("Points", exact=True).input_value() == "li4 sj5 ST36"
    assert page.get_by_label("Pulse after (bpm)").input_value() == "68"
    assert page.locator("#id_warmth_change_3").is_checked()
    assert page.locator("#div_id_answer_pgic").get_by_label("2: Much improved").is_checked()
    screenshot(page, "workspace-log-session-error-tablet")

    # LI4 is a pregnancy-caution point and this patient is flagged pregnant: acknowledge, then save.
    page.get_by_label("SpO₂ before (%)").fill("88")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("LI4 is traditionally avoided in pregnancy")).to_be_visible()
    # The forgotten acknowledgement sits at the foot of a long form: the summary links to it.
    page.locator("#error-summary").get_by_role("link", name="I have read the safety warnings").click()
    assert page.evaluate("document.activeElement.id") == "id_acknowledge_safety"
    assert page.locator("#div_id_acknowledge_safety").is_visible()
    page.get_by_label("I have read the safety warnings").check()
    page.get_by_role("button", name="Save session").click()

    page.wait_for_url(f"**/practice/patients/{patient.patient_ref}/")
    expect(page.get_by_text("Session 2 saved.")).to_be_visible()
    # One follow-up banner, naming the new session; no second message saying it again.
    assert page.get_by_role("alert").filter(has_text="below 90%").count() == 1
    assert "SpO₂ below 90% in session 2" in page.locator("#follow-up-warning").inner_text()
    newest = page.locator("#session-table tbody tr").first
    assert newest.locator("th").inner_text() == "2"
    assert newest.locator(".spo2-pre").inner_text() == "88"
    assert "LI4 ST36 TE5" in newest.inner_text() and "Follow up" in newest.inner_text()

    # Two charts, from data that includes the new reading: SpO₂ on its scale, pulse on its own.
    charts = page.evaluate(
        """() => ['spo2-chart', 'pulse-chart'].map(id => { const c = Chart.getChart(id);
             return {labels: c.data.labels, series: c.data.datasets.map(d => d.data),
                     tension: c.data.datasets.map(d => d.tension), y: [c.scales.y.min, c.scales.y.max]}; })"""
    )
    spo2, pulse = charts
    assert spo2["labels"] == ["Session 1", "Session 2"] and spo2["series"] == [[93, 88], [95, 94]]
    assert pulse["series"] == [[72, 74], [68, 68]]
    assert spo2["y"][1] <= 100 and pulse["y"][0] <= 50, "each chart is scaled to its own readings"
    # Straight segments between readings: a curve would overshoot values that were never recorded.
    assert {t for chart in charts for t in chart["tension"]} == {0}
    # PGIC has a chart of its own (session 1 was not asked).
    pgic = page.evaluate("() => { const d = Chart.getChart('pgic-chart').data.datasets[0]; return [d.label, d.data]; }")
    assert pgic == ["PGIC (1 = very much improved, 7 = very much worse)", [None, 2]]
    assert newest.locator(".pgic").inner_text() == "2"
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
    expect(page.get_by_role("heading", name="Amend session 1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("SpO₂ after (%)").fill("97")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#div_id_reason").get_by_text("Say why this session is being amended.")).to_be_visible()
    assert "Reason for the change: Say why" in page.locator("#error-summary").inner_text()
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
