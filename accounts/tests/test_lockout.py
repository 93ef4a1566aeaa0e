"""Sign-in lockouts: counted per username from any address and per client address, for a cool-off."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 4
    settings.LOGIN_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def _sign_in(username, password, **meta):
    return Client().post("/accounts/login/", {"username": username, "password": password}, **meta)


def _signs_in(response):
    return response.status_code == 302


def _minutes_pass(minutes):
    """Move every recorded attempt back in time, as if `minutes` had passed."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_guessing_one_users_password_from_two_addresses_locks_that_username_everywhere(practitioner):
    for address in ["203.0.113.1", "203.0.113.1", "198.51.100.2"]:
        assert _sign_in("practitioner", "wrong", REMOTE_ADDR=address).status_code == 200
    # The fourth wrong password, from the second address, reaches the limit.
    assert _sign_in("practitioner", "wrong", REMOTE_ADDR="198.51.100.2").status_code == 429
    response = _sign_in("practitioner", PASSWORD, REMOTE_ADDR="192.0.2.3")
    assert response.status_code == 429
    assert "paused for 15 minutes" in response.content.decode()


def test_guessing_many_usernames_from_one_address_locks_that_address_only(practitioner, other_practitioner):
    for username in ["admin", "root", "lead", "mei"]:
        _sign_in(username, "wrong", REMOTE_ADDR="203.0.113.1")
    assert _sign_in("practitioner", PASSWORD, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert _signs_in(_sign_in("practitioner", PASSWORD, REMOTE_ADDR="198.51.100.2"))


def test_behind_one_trusted_proxy_an_attacker_locks_out_only_their_own_address(settings, practitioner):
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for username in ["admin", "root", "lead", "mei"]:
        _sign_in(username, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
    assert _sign_in("practitioner", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 429
    # Everyone else reaches the app through the same proxy, and still signs in.
    assert _signs_in(_sign_in("practitioner", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy))


def test_an_address_claimed_in_the_header_without_a_trusted_proxy_changes_nothing(settings, practitioner):
    settings.TRUSTED_PROXIES = 0
    for claimed in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]:
        _sign_in(f"user-{claimed}", "wrong", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR=claimed)
    response = _sign_in("practitioner", PASSWORD, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="5.5.5.5")
    assert response.status_code == 429


def test_the_lockout_ends_after_the_cool_off(practitioner):
    for _ in range(4):
        _sign_in("practitioner", "wrong", REMOTE_ADDR="203.0.113.1")
    _minutes_pass(14)
    assert _sign_in("practitioner", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 429
    _minutes_pass(2)
    assert _signs_in(_sign_in("practitioner", PASSWORD, REMOTE_ADDR="198.51.100.2"))


def test_more_wrong_passwords_during_the_pause_do_not_extend_it(practitioner):
    for _ in range(4):
        _sign_in("practitioner", "wrong", REMOTE_ADDR="203.0.113.1")
    _minutes_pass(10)
    assert _sign_in("practitioner", "wrong", REMOTE_ADDR="203.0.113.1").status_code == 429
    _minutes_pass(6)
    assert _signs_in(_sign_in("practitioner", PASSWORD, REMOTE_ADDR="198.51.100.2"))
