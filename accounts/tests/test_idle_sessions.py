"""Staff and practitioners are signed out after SESSION_IDLE_MINUTES without a request; signing out ends the session."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.middleware import _EXPIRY_MOVED_AT

pytestmark = pytest.mark.django_db


def _session(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_session_expires_thirty_minutes_after_the_last_request(client, practitioner):
    client.force_login(practitioner)
    assert client.get("/practice/").status_code == 200
    left = _session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)
    assert client.cookies["sessionid"]["max-age"] == 30 * 60


def test_after_thirty_idle_minutes_the_next_request_is_sent_to_sign_in(client, practitioner):
    client.force_login(practitioner)
    client.get("/practice/")
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/practice/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_each_request_moves_the_expiry_ahead(client, practitioner, settings):
    settings.SESSION_IDLE_MINUTES = 10
    client.force_login(practitioner)
    client.get("/practice/")
    session = client.session
    session[_EXPIRY_MOVED_AT] -= 120  # the last move was two minutes ago
    session.save()
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() + dt.timedelta(minutes=8))
    client.get("/practice/")
    assert _session(client).expire_date - timezone.now() > dt.timedelta(minutes=9)


def test_a_patients_intake_session_keeps_djangos_usual_length(client, django_capture_on_commit_callbacks):
    from patients.tests.factories import intake_post_data

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/assessment/", intake_post_data())
    assert _session(client).expire_date - timezone.now() > dt.timedelta(days=13)


def test_signing_out_deletes_the_session_on_the_server(client, practitioner):
    client.force_login(practitioner)
    client.get("/practice/")
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    from django.test import Client

    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get("/practice/").status_code == 302
