"""Plans as practitioners and patients meet them: the patient page, confirming, logging from the plan."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from patients.tests.factories import PatientFactory, intake_post_data
from protocols.models import TreatmentPlan
from protocols.selectors import plan_suggest
from protocols.services import plan_start
from protocols.tests.factories import ProtocolFactory
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol():
    protocol = ProtocolFactory(name="Fatigue restore course", needle_gauge_mm="0.20", retention_minutes=25)
    protocol.refresh_from_db()
    return protocol


def _url(patient, tail=""):
    return f"/practice/patients/{patient.patient_ref}/{tail}"


def _confirm(patient, user):
    suggestion = plan_suggest(patient=patient)
    return plan_start(
        patient=patient,
        protocol=suggestion.protocol,
        confirmed_by=user,
        points=suggestion.points,
        planned_sessions=6,
        interval_days=7,
        needle_gauge_mm=suggestion.protocol.needle_gauge_mm,
        retention_minutes=25,
        removed_points=suggestion.removed_points,
    )


def test_the_patient_page_shows_the_suggestion_as_not_confirmed(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner, pregnant=True)
    client.force_login(practitioner)
    html = client.get(_url(patient)).content.decode()
    assert "Suggested plan" in html and "not confirmed" in html
    assert 'points <span class="font-monospace">ST36 PC6</span>.</p>' in html
    assert 'Left out <span class="font-monospace">LI4</span>' in html
    assert "Review and start the plan" in html
    assert not TreatmentPlan.objects.exists()


def test_confirming_the_plan_form_starts_the_plan_with_the_adjustments(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    form_html = client.get(_url(patient, "plan/new/")).content.decode()
    assert 'value="LI4 ST36 SP6 PC6"' in form_html
    response = client.post(
        _url(patient, "plan/new/"),
        {
            "points": "st36 pc6 gb20",
            "planned_sessions": 8,
            "interval_days": 10,
            "needle_gauge_mm": "0.18",
            "retention_minutes": 20,
        },
    )
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get(patient=patient)
    assert plan.confirmed_by == practitioner
    assert sorted(plan.points.values_list("code", flat=True)) == ["GB20", "PC6", "ST36"]
    assert (plan.planned_sessions, plan.interval_days, plan.retention_minutes) == (8, 10, 20)
    html = client.get(_url(patient)).content.decode()
    assert "session 1 of 8" in html


def test_a_plan_form_mistake_keeps_what_was_typed_and_names_the_unknown_code(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    response = client.post(
        _url(patient, "plan/new/"), {"points": "st36 xx99", "planned_sessions": 0, "interval_days": 7}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown acupoint code: xx99." in html
    assert 'value="st36 xx99"' in html
    assert not TreatmentPlan.objects.exists()


def test_a_plan_form_mistake_is_marked_beside_the_field_under_a_summary(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    assert "novalidate" in client.get(_url(patient, "plan/new/")).content.decode()
    html = client.post(
        _url(patient, "plan/new/"),
        {"points": "st36 pc6", "planned_sessions": "", "interval_days": 10, "needle_gauge_mm": "0.18"},
    ).content.decode()
    assert "Nothing was saved yet." in html
    assert re.search(r'name="planned_sessions"[^>]*is-invalid', html)
    assert "Planned sessions must be a whole number from 1 to 30." in html
    assert 'value="st36 pc6"' in html
    assert 'name="interval_days" value="10"' in html
    assert 'name="needle_gauge_mm" value="0.18"' in html
    assert not TreatmentPlan.objects.exists()


def test_an_out_of_range_plan_value_gets_a_message_naming_the_field_and_its_range(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    html = client.post(
        _url(patient, "plan/new/"),
        {"points": "st36", "planned_sessions": 6, "interval_days": 120, "needle_gauge_mm": "0.5"},
    ).content.decode()
    assert "Days between sessions must be a whole number from 1 to 90." in html
    assert "A needle gauge is from 0.12 to 0.40 mm." in html
    assert "Ensure this value" not in html
    assert not TreatmentPlan.objects.exists()


def test_a_pregnancy_caution_point_put_back_into_the_plan_needs_the_tick(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner, pregnant=True)
    client.force_login(practitioner)
    posted = {"points": "li4 st36 pc6", "planned_sessions": 6, "interval_days": 7}
    html = client.post(_url(patient, "plan/new/"), posted).content.decode()
    assert "Nothing was saved yet." in html
    assert "LI4 is traditionally avoided in pregnancy, and this patient is flagged as pregnant" in html
    assert "Tick to confirm you have read the safety warnings." in html
    assert not TreatmentPlan.objects.exists()

    response = client.post(_url(patient, "plan/new/"), {**posted, "acknowledge_safety": "on"})
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get(patient=patient)
    assert sorted(plan.points.values_list("code", flat=True)) == ["LI4", "PC6", "ST36"]


def test_a_pregnant_patient_s_suggested_plan_saves_without_the_tick(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner, pregnant=True)
    client.force_login(practitioner)
    html = client.get(_url(patient, "plan/new/")).content.decode()
    assert 'id="safety-notice"' in html and 'id="safety-warnings"' not in html
    response = client.post(
        _url(patient, "plan/new/"), {"points": "st36 pc6", "planned_sessions": 6, "interval_days": 7}
    )
    assert response.status_code == 302


def test_an_implanted_device_keeps_electrostimulation_off_whatever_is_posted(client, practitioner):
    ProtocolFactory(electrostimulation=True)
    patient = PatientFactory(practitioner=practitioner, implanted_device=True)
    client.force_login(practitioner)
    assert "Ruled out" in client.get(_url(patient, "plan/new/")).content.decode()
    client.post(
        _url(patient, "plan/new/"),
        {"points": "st36", "planned_sessions": 6, "interval_days": 7, "electrostimulation": "on"},
    )
    assert TreatmentPlan.objects.get().electrostimulation is False


def test_another_practitioner_s_patient_plan_is_not_found(client, practitioner, other_practitioner, protocol):
    patient = PatientFactory(practitioner=other_practitioner)
    client.force_login(practitioner)
    assert client.get(_url(patient, "plan/new/")).status_code == 404
    assert (
        client.post(
            _url(patient, "plan/new/"), {"points": "st36", "planned_sessions": 6, "interval_days": 7}
        ).status_code
        == 404
    )
    assert not TreatmentPlan.objects.exists()


def test_front_desk_may_not_start_plans(client, front_desk, protocol):
    client.force_login(front_desk)
    assert client.get(_url(PatientFactory(), "plan/new/")).status_code == 403


def test_the_patient_page_marks_an_overdue_session(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner)
    _confirm(patient, practitioner)
    TreatmentSessionFactory(patient=patient, number=1, started_at=timezone.now() - dt.timedelta(days=12))
    client.force_login(practitioner)
    html = client.get(_url(patient)).content.decode()
    assert "session 2 of 6" in html
    assert 'id="plan-overdue"' in html


def test_logging_from_the_plan_prefills_points_gauge_and_retention(client, practitioner, protocol):
    patient = PatientFactory(practitioner=practitioner)
    _confirm(patient, practitioner)
    client.force_login(practitioner)
    assert "Start from the plan" in client.get(_url(patient, "sessions/new/")).content.decode()
    html = client.get(_url(patient, "sessions/new/") + "?from_plan=1").content.decode()
    assert 'value="LI4 ST36 SP6 PC6"' in html
    assert re.search(r'name="needle_gauge" id="[^"]+" value="0.20" autocomplete="off" checked>', html)
    assert not re.search(r'name="needle_gauge" id="[^"]+" value="0.16" autocomplete="off" checked>', html)
    assert 'name="retention_minutes" value="25"' in html


def test_the_session_table_shows_how_a_session_differs_from_the_plan(client, practitioner, protocol):
    from sessions.models import Acupoint

    patient = PatientFactory(practitioner=practitioner)
    _confirm(patient, practitioner)
    session = TreatmentSessionFactory(patient=patient, number=1, retention_minutes=30)
    session.points.set(Acupoint.objects.filter(code__in=["ST36", "SP6", "PC6", "GB20"]))
    client.force_login(practitioner)
    html = client.get(_url(patient)).content.decode()
    assert "Differs from plan" in html
    assert "+GB20 −LI4 30 min" in html


def test_the_thanks_page_describes_the_typical_course_without_personal_advice(client, protocol):
    response = client.post("/assessment/", intake_post_data(condition="chronic-fatigue-syndrome"))
    html = client.get(response["Location"]).content.decode()
    assert "A typical course for Chronic Fatigue Syndrome" in html
    assert protocol.public_description in html
    assert "not personal advice: your practitioner will confirm what suits you" in html
