"""Sessions in admin are read-only: a session is logged and corrected only through its services, in the
workspace, where the safety acknowledgement and the amendment rule are asked for."""

import pytest
from django.urls import reverse

from patients.tests.factories import PatientFactory
from practice.tests.test_workspace_corrections import _form_values
from sessions.models import Acupoint, SessionAmendment, TreatmentSession
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/treatment_sessions/treatmentsession/add/"


def _change_url(session):
    return f"/admin/treatment_sessions/treatmentsession/{session.pk}/change/"


@pytest.fixture(params=["clinic_lead", "superuser"])
def staff_client(request, client, clinic_lead, admin_user):
    client.force_login(clinic_lead if request.param == "clinic_lead" else admin_user)
    return client


def test_admin_cannot_add_a_needling_session_for_a_pregnant_patient_without_the_acknowledgement(staff_client):
    patient = PatientFactory(pregnant=True)
    li4 = Acupoint.objects.get(code="LI4")
    form = {
        "patient": patient.pk,
        "started_at_0": "2026-01-05",
        "started_at_1": "10:00:00",
        "points": [li4.pk],
        "spo2_pre": 88,
        "safety_acknowledgement": "",
        "adverse_events": "[]",
    }
    assert staff_client.get(ADD_URL).status_code == 403
    assert staff_client.post(ADD_URL, form).status_code == 403
    assert not TreatmentSession.objects.exists()
    changelist = staff_client.get("/admin/treatment_sessions/treatmentsession/").content.decode()
    assert ADD_URL not in changelist
    assert reverse("practice:patient_list") in changelist


def test_admin_cannot_change_an_old_session_without_the_amendment_and_its_reason(staff_client):
    session = TreatmentSessionFactory(spo2_pre=94, notes="As logged.")
    response = staff_client.post(
        _change_url(session),
        {"spo2_pre": 97, "notes": "Changed in admin", "amendments-TOTAL_FORMS": 0, "amendments-INITIAL_FORMS": 0},
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert (session.spo2_pre, session.notes) == (94, "As logged.")
    assert not SessionAmendment.objects.exists()


def test_admin_cannot_delete_a_session(staff_client):
    session = TreatmentSessionFactory()
    response = staff_client.post(f"/admin/treatment_sessions/treatmentsession/{session.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert TreatmentSession.objects.filter(pk=session.pk).exists()


def test_the_session_page_in_admin_reads_in_words_and_links_to_the_workspace_to_correct_it(staff_client):
    session = TreatmentSessionFactory(
        adverse_events=["bruising", "dizziness"],
        safety_acknowledgement="LI4 is traditionally avoided in pregnancy, and this patient is flagged as pregnant.",
    )
    session.points.set(Acupoint.objects.filter(code__in=["LI4", "ST36"]))
    html = staff_client.get(_change_url(session)).content.decode()
    assert "Bruising, Dizziness or fainting" in html
    assert "LI4 ST36" in html
    assert "LI4 is traditionally avoided in pregnancy" in html
    # Nothing to type into: no box for the acknowledgement, the adverse events or anything else.
    assert 'name="safety_acknowledgement"' not in html and 'name="adverse_events"' not in html
    assert 'type="submit"' not in html.split('id="content-main"')[1].split("</form>")[0]
    workspace = reverse("practice:session_detail", args=[session.patient.patient_ref, session.number])
    assert f'href="{workspace}"' in html


def test_the_workspace_page_admin_links_to_asks_the_clinic_lead_for_a_reason(client, clinic_lead):
    session = TreatmentSessionFactory(spo2_pre=94)
    client.force_login(clinic_lead)
    edit = reverse("practice:session_edit", args=[session.patient.patient_ref, session.number])
    response = client.post(edit, _form_values(session, spo2_pre="97"))
    assert response.context["form"].errors["reason"] == ["Say why this session is being amended."]
    session.refresh_from_db()
    assert session.spo2_pre == 94
    client.post(edit, _form_values(session, spo2_pre="97", reason="Oximeter misread"))
    session.refresh_from_db()
    assert session.spo2_pre == 97
    assert SessionAmendment.objects.get(session=session).reason == "Oximeter misread"


def test_a_session_s_history_and_follow_up_read_in_words(staff_client, practitioner):
    from sessions.services import session_correct

    session = TreatmentSessionFactory(spo2_pre=88, adverse_events=[])
    session_correct(session=session, user=practitioner, reason="Noted late.", adverse_events=["bruising"])
    history = staff_client.get(f"/admin/treatment_sessions/treatmentsession/{session.pk}/history/").content.decode()
    assert "None" in history and "Bruising" in history
    assert "[bruising]" not in history and "[]" not in history
    page = staff_client.get(_change_url(session)).content.decode()
    # A reading below 90 % needs following up: said in words, never as a green tick.
    assert "Yes: follow up" in page and "icon-yes.svg" not in page
