"""Requests the app cannot read get a clear 400 page (clinic.middleware.UnreadableRequestGuard)."""

import pytest
from django.test import Client

from patients.models import IntakeSubmission
from patients.tests.factories import PatientFactory, intake_post_data

pytestmark = pytest.mark.django_db


def _says_it_could_not_be_read(response):
    return response.status_code == 400 and "This request could not be read" in response.content.decode()


def test_a_nul_byte_in_an_article_search_is_a_400_page(client):
    assert _says_it_could_not_be_read(client.get("/articles/search/", QUERY_STRING="q=%00"))


def test_a_nul_byte_in_a_workspace_address_is_a_400_page(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    assert _says_it_could_not_be_read(client.get(f"/practice/patients/{patient.patient_ref}%00/"))


def test_a_nul_byte_in_an_admin_autocomplete_search_is_a_400_page(admin_client):
    query = "app_label=content&model_name=article&field_name=tags&term=%00"
    assert _says_it_could_not_be_read(admin_client.get("/admin/autocomplete/", QUERY_STRING=query))


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
@pytest.mark.parametrize("path", ["/assessment/", "/accounts/login/", "/accounts/password_reset/"])
def test_a_form_sent_in_another_character_set_is_a_400_page(path, charset):
    browser = Client(enforce_csrf_checks=True)
    browser.get(path)
    form = {**intake_post_data(), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value, "username": "mei"}
    body = "&".join(f"{key}={value}" for key, value in form.items()).encode(charset)
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    response = browser.generic("POST", path, body, content_type=content_type)
    assert _says_it_could_not_be_read(response)
    assert not IntakeSubmission.objects.exists()


def test_the_same_form_in_utf_8_is_read(client):
    response = client.post("/assessment/", intake_post_data())
    assert response.status_code == 302
    assert IntakeSubmission.objects.count() == 1


def test_a_form_body_larger_than_django_reads_is_a_400_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post("/assessment/", "history=" + "x" * 20_000, content_type="application/x-www-form-urlencoded")
    assert _says_it_could_not_be_read(response)


def test_a_form_with_more_fields_than_django_reads_is_a_400_page(client):
    body = "&".join(f"field{number}=1" for number in range(1_500))
    response = client.post("/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert _says_it_could_not_be_read(response)
