"""Signing in refuses a username longer than any account's before anything authenticates it."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_username_of_256_characters_is_refused_with_a_message(client, path):
    response = client.post(path, {"username": "u" * 256, "password": "whatever"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 256)." in response.content.decode()
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()


def test_a_wrong_password_is_still_counted_by_django_axes(client, practitioner):
    response = client.post("/accounts/login/", {"username": practitioner.username, "password": "wrong"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == practitioner.username


def test_the_right_password_signs_in(client, practitioner):
    response = client.post("/accounts/login/", {"username": practitioner.username, "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/practice/"
