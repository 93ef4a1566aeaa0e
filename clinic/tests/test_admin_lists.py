"""Staff live in the admin change lists: they must not slow down as the clinic grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.tests.factories import PatientFactory, PractitionerFactory
from sessions.tests.factories import TreatmentSessionFactory


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def _add_patients(count):
    practitioner = PractitionerFactory()
    for _ in range(count):
        patient = PatientFactory(practitioner=practitioner, pregnant=True)
        TreatmentSessionFactory(patient=patient, number=1)
        TreatmentSessionFactory(patient=patient, number=2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/patients/patient/",
        "/admin/treatment_sessions/treatmentsession/",
        "/admin/patients/condition/",
        "/admin/treatment_sessions/acupoint/",
    ],
)
def test_change_list_query_count_does_not_grow_with_rows(admin_client, url):
    _add_patients(2)
    _queries(admin_client, url)  # warm caches
    few = _queries(admin_client, url)
    _add_patients(20)
    many = _queries(admin_client, url)
    assert many == few


@pytest.mark.django_db
def test_patient_page_with_sessions_inline_does_not_grow_with_sessions(admin_client):
    patient = PatientFactory()
    for number in (1, 2):
        TreatmentSessionFactory(patient=patient, number=number)
    _queries(admin_client, f"/admin/patients/patient/{patient.pk}/change/")  # warm caches
    few = _queries(admin_client, f"/admin/patients/patient/{patient.pk}/change/")
    for number in range(3, 15):
        TreatmentSessionFactory(patient=patient, number=number)
    assert _queries(admin_client, f"/admin/patients/patient/{patient.pk}/change/") == few


@pytest.mark.django_db
def test_patient_search_finds_by_name_reference_and_email(admin_client):
    PatientFactory(patient_ref="AC-FINDME", first_name="Ingrid", email="ingrid@example.org")
    PatientFactory(first_name="Other")
    for term in ["AC-FINDME", "ingrid", "ingrid@example.org"]:
        html = admin_client.get("/admin/patients/patient/", {"q": term}).content.decode()
        assert "AC-FINDME" in html and "1 result" in html


@pytest.mark.django_db
def test_safety_flags_show_as_badges_in_the_patient_list(admin_client):
    PatientFactory(bleeding_disorder=True)
    html = admin_client.get("/admin/patients/patient/").content.decode()
    assert 'title="Bleeding disorder"><span aria-hidden="true">Bleeding disorder</span>' in html
