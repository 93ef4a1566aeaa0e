"""Password reset: throttled per address and per email, and never telling whether an address has an account."""

import pytest
from django.core import mail
from django.test import Client, TestCase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rate(settings):
    settings.PASSWORD_RESET_RATE_LIMIT = "3/hour"


@pytest.fixture
def known(practitioner):
    practitioner.email = "mei@example.org"
    practitioner.save()
    return practitioner.email


def _ask(email, address="203.0.113.1"):
    # The reset email is a job enqueued when the request's transaction commits (accounts.emails); the
    # test's transaction never commits, so what would run then runs as the request ends.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address, follow=True)


def _page(response):
    return response.status_code, response.redirect_chain, response.content.decode()


def test_a_known_and_an_unknown_address_get_the_same_answer(known):
    assert _page(_ask(known)) == _page(_ask("nobody@example.org", address="198.51.100.2"))
    assert [message.to for message in mail.outbox] == [[known]]


def test_many_requests_from_one_address_are_throttled(known):
    for email in ["a@example.org", "b@example.org", "c@example.org"]:
        assert _ask(email).status_code == 200
    response = _ask(known)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many reset requests" in response.content.decode()
    assert mail.outbox == []


def test_many_requests_for_one_email_from_different_addresses_are_throttled(known):
    for address in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]:
        assert _ask(known.upper(), address=address).status_code == 200
    assert _ask(known, address="203.0.113.4").status_code == 429
    assert len(mail.outbox) == 3


def test_the_throttle_treats_an_unknown_address_exactly_like_a_known_one(known):
    answers = []
    for email in [known, "nobody@example.org"]:
        answers.append([_ask(email, address=f"198.51.100.{n}").status_code for n in range(4)])
    assert answers[0] == answers[1] == [200, 200, 200, 429]


def test_an_unreadable_rate_stops_start_up(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.PASSWORD_RESET_RATE_LIMIT = "often"
    with pytest.raises(SystemCheckError, match="PASSWORD_RESET_RATE_LIMIT"):
        call_command("check")
