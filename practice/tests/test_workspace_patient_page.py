"""The patient page: safety flags first, consent, the chart's data, the session table, follow-up warnings."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.tests.factories import PatientFactory
from sessions.models import Acupoint
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def _page(client, patient):
    return client.get(reverse("practice:patient_detail", args=[patient.patient_ref])).content.decode()


def test_safety_flags_come_before_everything_else(client, practitioner):
    patient = PatientFactory(practitioner=practitioner, pregnant=True, implanted_device=True)
    client.force_login(practitioner)
    html = _page(client, patient)
    flags = html.index('id="safety-flags"')
    assert flags < html.index("<h1")
    assert "Pregnant or possibly pregnant" in html and "Pacemaker or implanted electrical device" in html


def test_no_flag_box_for_a_patient_without_flags(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    assert 'id="safety-flags"' not in _page(client, patient)


def test_the_page_shows_condition_and_consent(client, practitioner):
    patient = PatientFactory(practitioner=practitioner, research_consent=False, contact_consent=True)
    client.force_login(practitioner)
    html = _page(client, patient)
    assert "Chronic Fatigue Syndrome" in html
    consent = re.search(r'id="consent">(.*?)</dd>', html, re.S).group(1)
    assert "Contact: <strong>yes</strong>" in consent
    assert "Research use: <strong>no</strong>" in consent


def test_the_session_table_is_newest_first_and_the_chart_data_is_in_session_order(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    for number, (pre, post, pulse) in enumerate([(92, 94, 80), (93, None, 76), (95, 97, 70)], start=1):
        session = TreatmentSessionFactory(patient=patient, number=number, spo2_pre=pre, spo2_post=post, pulse_pre=pulse)
    session.points.set(Acupoint.objects.filter(code__in=["LI4", "ST36"]))
    client.force_login(practitioner)
    html = _page(client, patient)
    table = html[html.index('id="session-table"') :]
    rows = re.findall(r'<th scope="row"><a href="[^"]+">(\d+)</a></th>', table)
    assert rows == ["3", "2", "1"]
    assert "LI4 ST36" in table
    data = json.loads(
        re.search(r'<script id="session-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["numbers"] == [1, 2, 3]
    assert data["spo2_pre"] == [92, 93, 95]
    assert data["spo2_post"] == [94, None, 97]
    assert data["pulse_pre"] == [80, 76, 70]
    # SpO₂ (84–100) and pulse (50–100) each on a chart and scale of its own.
    assert '<canvas id="spo2-chart"' in html and '<canvas id="pulse-chart"' in html
    assert "chart.umd.min.js" in html and "js/patient-chart.js" in html
    # No inline script: the CSP allows scripts from our own files only.
    assert not re.search(r"<script>(?!\s*</script>)", html)


def test_a_reading_below_90_shows_a_follow_up_warning(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    TreatmentSessionFactory(patient=patient, number=1, spo2_pre=95)
    TreatmentSessionFactory(patient=patient, number=2, spo2_post=88)
    client.force_login(practitioner)
    html = _page(client, patient)
    warning = re.search(r'id="follow-up-warning">(.*?)</div>', html, re.S).group(1)
    assert "SpO₂ below 90% in session" in warning
    assert ">2</a>" in warning and ">1</a>" not in warning
    # The badge marks session 2 in the table and in its phone card, never session 1.
    assert html.count(">Follow up</span>") == 2


def test_a_patient_without_sessions_is_told_how_to_start(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    html = _page(client, patient)
    assert "No sessions yet" in html
    assert reverse("practice:session_new", args=[patient.patient_ref]) in html
    assert "session-chart" not in html


def test_the_page_queries_do_not_grow_with_the_number_of_sessions(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("practice:patient_detail", args=[patient.patient_ref]))
        return len(captured)

    TreatmentSessionFactory(patient=patient, number=1).points.set(Acupoint.objects.filter(code="LI4"))
    queries()  # the first request after signing in also starts the idle timer (a session write)
    few = queries()
    for number in range(2, 12):
        TreatmentSessionFactory(patient=patient, number=number).points.set(Acupoint.objects.filter(code="ST36"))
    assert queries() == few
