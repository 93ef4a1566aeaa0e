"""Signing in to the workspace: the styled Django auth views, redirects that stay on this site, password reset."""

import re

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db


def _sign_in(client, next_url=None):
    data = {"username": "practitioner", "password": "correct-horse-battery"}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def test_the_sign_in_page_is_the_sites_own_styled_form(client):
    response = client.get("/accounts/login/?next=/practice/")
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b'name="next" value="/practice/"' in response.content
    assert b"Forgotten your password?" in response.content
    assert b"Django administration" not in response.content


def test_signing_in_lands_on_my_patients(client, practitioner):
    response = _sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/practice/"


def test_signing_in_honours_a_local_next_url(client, practitioner):
    response = _sign_in(client, "/practice/patients/AC-ABC/")
    assert response["Location"] == "/practice/patients/AC-ABC/"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/practice/",
        "//evil.example/practice/",
        "http://evil.example",
        "///evil.example",
        "https:/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_signing_in_ignores_a_next_url_to_another_host(client, practitioner, next_url):
    response = _sign_in(client, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/practice/"


def test_a_wrong_password_keeps_the_username_and_says_so(client, practitioner):
    response = client.post("/accounts/login/", {"username": "practitioner", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert b'value="practitioner"' in response.content


def test_signing_out_ends_the_session(client, practitioner):
    client.force_login(practitioner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/practice/").status_code == 302


def test_a_practitioner_resets_a_forgotten_password_by_email(practitioner, django_capture_on_commit_callbacks):
    practitioner.email = "mei@example.org"
    practitioner.save()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "mei@example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    assert "Reset your" in mail.outbox[0].subject
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-9", "new_password2": "a-new-long-passphrase-9"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    practitioner.refresh_from_db()
    assert practitioner.check_password("a-new-long-passphrase-9")


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)
    assert b"Check your email" in response.content
    assert mail.outbox == []


def test_repeated_wrong_passwords_lock_the_account_out_even_for_the_right_one(client, practitioner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "practitioner", "password": "wrong"})
    response = _sign_in(client)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert client.get("/practice/").status_code == 302
