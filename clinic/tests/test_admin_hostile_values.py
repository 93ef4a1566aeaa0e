"""Admin pages answer impossible filters, ids and choices as wrong input, the way Django does for most."""

import pytest

from content.tests.factories import ArticleFactory
from patients.tests.factories import PatientFactory
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_a_year_too_large_for_any_calendar_reloads_the_list_as_an_invalid_filter(admin_client):
    TreatmentSessionFactory()
    url = "/admin/treatment_sessions/treatmentsession/"
    response = admin_client.get(url, {"started_at__year": "99999999999999999999"})
    assert response.status_code == 302 and response["Location"] == f"{url}?e=1"
    assert admin_client.get(response["Location"]).status_code == 200


def test_a_history_page_for_an_id_that_cannot_be_one_says_the_record_does_not_exist(admin_client):
    response = admin_client.get("/admin/patients/patient/abc/history/", follow=True)
    assert response.status_code == 200
    assert "doesn’t exist. Perhaps it was deleted?" in response.content.decode()


def test_a_past_version_that_cannot_be_one_is_not_found(admin_client):
    patient = PatientFactory()
    assert admin_client.get(f"/admin/patients/patient/{patient.pk}/history/abc/").status_code == 404
    assert admin_client.get(f"/admin/patients/patient/{patient.pk}/history/").status_code == 200


def test_an_article_posted_with_a_tag_id_that_cannot_be_one_comes_back_with_the_error(admin_client):
    article = ArticleFactory()
    response = admin_client.post(
        f"/admin/content/article/{article.pk}/change/", {"title": article.title, "tags": ["abc"]}
    )
    assert response.status_code == 200
    assert "“abc” is not a valid value." in response.content.decode()


def test_an_article_posted_with_a_tag_id_beyond_any_row_comes_back_with_the_error(admin_client):
    article = ArticleFactory()
    url = f"/admin/content/article/{article.pk}/change/"
    response = admin_client.post(url, {"title": article.title, "tags": ["99999999999999999999"]})
    assert response.status_code == 200
    assert "99999999999999999999 is not one of the available choices." in response.content.decode()
