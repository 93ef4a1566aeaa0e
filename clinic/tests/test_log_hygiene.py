"""No personal data or secrets in the logs: the intake, password reset and workspace journeys, logged at DEBUG."""

import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from conftest import confirmed_device, totp_code
from patients.tests.factories import PatientFactory, intake_post_data

pytestmark = pytest.mark.django_db

PATIENT_EMAIL = "zoe.okafor@example.org"
STAFF_EMAIL = "mei.lin@example.org"
NAMES = ["Okafor", "Zoë", "Lovelace", "Augusta"]


@pytest.fixture
def everything_logged(caplog):
    """Every logger the settings name, and the root, at DEBUG: as verbose as any configuration gets."""
    caplog.set_level(logging.DEBUG)
    for name in settings.LOGGING["loggers"]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _intake_journey(django_capture_on_commit_callbacks):
    known = PatientFactory(email="augusta@example.org", date_of_birth="1990-01-02", first_name="Augusta")
    for answers in [
        {"first_name": "Zoë", "last_name": "Okafor", "email": PATIENT_EMAIL},
        {"first_name": "Augusta", "last_name": "Lovelace", "email": known.email, "date_of_birth": "1990-01-02"},
        {"first_name": "Zoë", "email": "not-an-email"},  # a mistake, shown back on the form
    ]:
        browser = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post("/assessment/", intake_post_data(submission_key="", **answers))
        if response.status_code == 302:
            browser.get(response["Location"])
        browser.get("/assessment/thanks/IN-0000000000/")  # someone else's: a 404


def _password_reset_journey(practitioner, django_capture_on_commit_callbacks):
    practitioner.email = STAFF_EMAIL
    practitioner.save()
    browser = Client()
    # The reset email is a job that goes out once the request's transaction commits (accounts.emails).
    with django_capture_on_commit_callbacks(execute=True):
        browser.post("/accounts/password_reset/", {"email": STAFF_EMAIL})
        browser.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[-1].body).group(1)
    form_page = browser.get(link, follow=True)
    browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-9", "new_password2": "a-new-long-passphrase-9"},
    )
    browser.get(link)  # the used link, again: "invalid"
    return link.split("/")[-2]


def _workspace_journey(practitioner, other_practitioner):
    patient = PatientFactory(practitioner=practitioner, first_name="Augusta", last_name="Lovelace")
    elsewhere = PatientFactory(practitioner=other_practitioner)
    browser = Client()
    browser.post("/accounts/login/", {"username": practitioner.username, "password": "wrong"})
    browser.post("/accounts/login/", {"username": STAFF_EMAIL, "password": "wrong"})
    browser.post("/accounts/login/", {"username": practitioner.username, "password": "a-new-long-passphrase-9"})
    browser.post("/accounts/two-factor/verify/", {"code": "000000"})
    browser.post("/accounts/two-factor/verify/", {"code": totp_code(confirmed_device(practitioner))})
    browser.post("/practice/", {"q": "Lovelace"})
    browser.get("/practice/")
    browser.get(f"/practice/patients/{patient.patient_ref}/")
    browser.get(f"/practice/patients/{elsewhere.patient_ref}/")  # not theirs: refused and logged
    browser.post("/accounts/logout/")


def test_no_email_address_patient_name_or_reset_token_reaches_the_logs(
    everything_logged, capfd, django_capture_on_commit_callbacks, practitioner, other_practitioner
):
    _intake_journey(django_capture_on_commit_callbacks)
    token = _password_reset_journey(practitioner, django_capture_on_commit_callbacks)
    _workspace_journey(practitioner, other_practitioner)

    out, err = capfd.readouterr()
    logged = everything_logged.text + out + err
    assert "Workspace access refused" in logged, "the journeys ran and their logs were captured"
    assert len(mail.outbox) >= 3, "the emails went out, to the mail backend only"
    for secret in [PATIENT_EMAIL, STAFF_EMAIL, "augusta@example.org", "@example.org", token, *NAMES]:
        assert secret not in logged, f"{secret!r} appears in the logs"
