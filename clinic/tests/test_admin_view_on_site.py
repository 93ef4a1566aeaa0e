"""Patients and sessions live only in admin and the workspace: admin offers no "View on site" for them."""

import pytest

from sessions.tests.factories import TreatmentSessionFactory


@pytest.mark.django_db
def test_the_patient_page_has_no_view_on_site_link(admin_client):
    session = TreatmentSessionFactory(number=1)
    html = admin_client.get(f"/admin/patients/patient/{session.patient.pk}/change/").content.decode()
    assert "View on site" not in html


@pytest.mark.django_db
def test_the_session_page_has_no_view_on_site_link(admin_client):
    session = TreatmentSessionFactory(number=1)
    html = admin_client.get(f"/admin/treatment_sessions/treatmentsession/{session.pk}/change/").content.decode()
    assert "View on site" not in html
