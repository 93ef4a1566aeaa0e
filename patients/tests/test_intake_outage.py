"""A free assessment sent while the database cannot be reached comes back with everything typed."""

import pytest
from django.db import connection
from django.test import Client

from clinic.tests.form_fields import form_fields
from patients.models import IntakeSubmission, Patient
from patients.tests.factories import intake_post_data

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="stops and drops PostgreSQL connections")

ANSWERS = intake_post_data(
    first_name="Ngozi",
    medications="Aspirin 75 mg\nAmlodipine",
    symptoms=["cold_extremities", "fatigue"],
    blood_thinners="yes",
    research_consent="on",
)


def _as_posted(fields):
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def _not_sent_page(response):
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Your assessment is not sent yet" in html
    return html


def test_an_intake_sent_while_the_database_is_down_comes_back_and_is_saved_when_sent_again(database_outage):
    browser = Client(raise_request_exception=False)
    browser.get("/assessment/")
    database_outage.stop()

    html = _not_sent_page(browser.post("/assessment/", ANSWERS))

    sent_again = form_fields(html, "intake-form")
    for name, value in ANSWERS.items():
        for one in value if isinstance(value, list) else [value]:
            assert (name, one) in sent_again, name
    database_outage.start()
    assert browser.post("/assessment/", _as_posted(sent_again)).status_code == 302
    submission = IntakeSubmission.objects.get()
    assert submission.answers["first_name"] == "Ngozi" and submission.patient.blood_thinners
    assert submission.answers["medications"] == "Aspirin 75 mg\nAmlodipine"


def test_an_intake_whose_connection_drops_mid_transaction_leaves_nothing_half_written(database_outage):
    browser = Client(raise_request_exception=False)

    def drop_before_the_submission_is_written(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "patients_intakesubmission"'):
            assert Patient.objects.exists()  # the patient row is written, in the same transaction
            database_outage.drop(connection.connection.info.backend_pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_before_the_submission_is_written):
        html = _not_sent_page(browser.post("/assessment/", ANSWERS))

    assert 'value="Ngozi"' in html
    database_outage.start()
    assert not Patient.objects.exists() and not IntakeSubmission.objects.exists()
