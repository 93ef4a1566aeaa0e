"""Who may reach the practitioner workspace, and what a refused request looks like."""

import logging

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from patients.tests.factories import PatientFactory
from sessions.models import TreatmentSession
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def _urls(patient, number=1):
    ref = patient.patient_ref
    return {
        "detail": reverse("practice:patient_detail", args=[ref]),
        "new": reverse("practice:session_new", args=[ref]),
        "session": reverse("practice:session_detail", args=[ref, number]),
        "edit": reverse("practice:session_edit", args=[ref, number]),
    }


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/practice/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/practice/"


@pytest.mark.parametrize("role", ["front_desk", "editor"])
def test_staff_outside_the_practitioner_groups_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/practice/")
    assert response.status_code == 403
    assert b"The practitioner workspace is for practitioners" in response.content


def test_a_signed_in_user_without_a_group_gets_403_on_every_workspace_page(client):
    patient = TreatmentSessionFactory().patient
    client.force_login(User.objects.create_user("nobody", password="correct-horse-battery"))
    for url in ["/practice/", *_urls(patient).values()]:
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403


def test_practitioners_clinic_leads_and_superusers_reach_the_workspace(client, practitioner, clinic_lead):
    for user in (practitioner, clinic_lead, User.objects.create_superuser("root", password="correct-horse-battery")):
        client.force_login(user)
        assert client.get("/practice/").status_code == 200


def test_a_practitioner_reaches_every_page_for_their_own_patient(client, practitioner):
    session = TreatmentSessionFactory(patient=PatientFactory(practitioner=practitioner))
    client.force_login(practitioner)
    for url in _urls(session.patient).values():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("page", ["detail", "new", "session", "edit"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_practitioners_patient_is_404_and_the_attempt_is_logged(
    client, practitioner, other_practitioner, caplog, page, method
):
    patient = PatientFactory(practitioner=other_practitioner, first_name="Ottilie", last_name="Quarrington")
    TreatmentSessionFactory(patient=patient, spo2_pre=94)
    client.force_login(practitioner)
    with caplog.at_level(logging.WARNING, logger="practice.access"):
        response = getattr(client, method)(_urls(patient)[page], {"spo2_pre": "60", "reason": "x"})
    assert response.status_code == 404
    assert b"Ottilie" not in response.content
    refusals = [r for r in caplog.records if r.name == "practice.access"]
    assert len(refusals) == 1
    message = refusals[0].getMessage()
    assert str(practitioner.pk) in message and patient.patient_ref in message
    assert "Ottilie" not in message and "Quarrington" not in message
    # Nothing was written for the refused POST.
    assert TreatmentSession.objects.get(patient=patient).spo2_pre == 94
    assert TreatmentSession.objects.filter(patient=patient).count() == 1


def test_an_unassigned_patient_is_404_for_a_practitioner(client, practitioner):
    patient = PatientFactory(practitioner=None)
    client.force_login(practitioner)
    assert client.get(_urls(patient)["detail"]).status_code == 404


def test_an_unknown_reference_is_404(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("practice:patient_detail", args=["AC-NOPE"])).status_code == 404


def test_a_session_number_that_does_not_exist_is_404(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    assert client.get(_urls(patient, number=7)["session"]).status_code == 404
    assert client.get(_urls(patient, number=7)["edit"]).status_code == 404


def test_a_clinic_lead_opens_any_practitioners_patient(client, clinic_lead, other_practitioner):
    session = TreatmentSessionFactory(patient=PatientFactory(practitioner=other_practitioner))
    client.force_login(clinic_lead)
    for url in _urls(session.patient).values():
        assert client.get(url).status_code == 200, url
