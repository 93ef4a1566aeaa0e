"""HTTPS and caching: the redirect and HSTS with DEBUG off, and no stored copies of pages with patient data."""

import pytest
from django.conf import settings as live_settings

from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_with_debug_off_plain_http_is_redirected_to_https_except_the_health_check(client, settings):
    assert live_settings.SECURE_HSTS_SECONDS > 0  # the default with DEBUG off, as `make test` runs
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/practice/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/practice/"
    assert client.get("/healthz").status_code == 200


def test_https_responses_carry_hsts_for_a_year_with_subdomains_and_preload(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_workspace_pages_are_never_stored(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    for url in ["/practice/", f"/practice/patients/{patient.patient_ref}/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_admin_pages_are_never_stored(client, front_desk):
    patient = PatientFactory()
    client.force_login(front_desk)
    for url in ["/admin/", f"/admin/patients/patient/{patient.pk}/change/"]:
        assert "no-store" in client.get(url)["Cache-Control"]


def test_sign_in_pages_are_never_stored(client):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/articles/").get("Cache-Control", "")
