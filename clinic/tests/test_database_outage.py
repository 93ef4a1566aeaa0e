"""The database stops for a while under gunicorn: patients lose nothing, staff see a 503 page, and the
app recovers by itself when it is back. The outage is real: PostgreSQL refuses every connection."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from clinic.tests.form_fields import form_fields
from clinic.tests.gunicorn_server import gunicorn_serving
from conftest import VerifiedClient
from patients.models import IntakeSubmission
from patients.tests.factories import PatientFactory, intake_post_data
from sessions.models import TreatmentSession

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="stops PostgreSQL connections")

PATIENTS = ["Ngozi", "Aiyana", "Björn", "Meera", "Tomás"]


class _Browser:
    def __init__(self, base_url, cookies=()):
        self.base_url, self.jar = base_url, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.extra_cookies = "; ".join(cookies)

    def open(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        headers = {"Cookie": self.extra_cookies} if self.extra_cookies else {}
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers)  # noqa: S310 - local
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers


def _database_url():
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_five_intakes_sent_during_an_outage_are_kept_by_the_page_and_saved_once_it_is_over(
    database_outage, practitioner
):
    staff = VerifiedClient()  # signed in with both factors, as the workspace asks
    staff.force_login(practitioner)
    session_cookie = f"sessionid={staff.cookies['sessionid'].value}"
    env = {"SECURE_COOKIES": "0", "INTAKE_RATE_LIMIT": "off", "INTAKE_EMAIL_RATE_LIMIT": "off"}
    with gunicorn_serving(database_url=_database_url(), **env) as base_url:
        patients = [_Browser(base_url) for _ in PATIENTS]
        workspace = _Browser(base_url, [session_cookie])
        forms = []
        for browser in patients:
            status, html, _ = browser.open("/assessment/")
            assert status == 200
            forms.append(dict(form_fields(html, "intake-form")))
        assert workspace.open("/practice/")[0] == 200

        database_outage.stop()
        returned = []
        for browser, form, name in zip(patients, forms, PATIENTS, strict=True):
            answers = {**intake_post_data(first_name=name), "csrfmiddlewaretoken": form["csrfmiddlewaretoken"]}
            answers["submission_key"] = form["submission_key"]
            status, html, headers = browser.open("/assessment/", answers)
            assert status == 503 and headers["Retry-After"] == "60"
            assert "Your assessment is not sent yet" in html and f'value="{name}"' in html
            returned.append(form_fields(html, "intake-form"))
        status, html, _ = workspace.open("/practice/")
        assert status == 503 and "We are briefly unavailable" in html and "/static/css/site.css" in html
        assert workspace.open("/healthz")[0] == 503

        database_outage.start()
        assert workspace.open("/healthz")[0] == 200
        for browser, fields in zip(patients, returned, strict=True):
            status, html, _ = browser.open("/assessment/", fields)
            assert status == 200 and "Thank you" in html
        # Sending one of them twice more (a double click after the outage) stores nothing more.
        assert patients[0].open("/assessment/", returned[0])[0] == 200
        assert workspace.open("/practice/")[0] == 200

    names = sorted(IntakeSubmission.objects.values_list("answers__first_name", flat=True))
    assert names == sorted(PATIENTS)


@pytest.mark.django_db(transaction=True)
def test_a_session_whose_connection_drops_mid_transaction_is_not_half_saved(database_outage, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    staff = VerifiedClient(raise_request_exception=False)
    staff.force_login(practitioner)

    def drop_before_the_points_are_written(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "treatment_sessions_treatmentsession_points"'):
            database_outage.drop(connection.connection.info.backend_pid)
        return execute(sql, params, many, context)

    url = f"/practice/patients/{patient.patient_ref}/sessions/new/"
    entry = {"started_at": "2026-01-05T10:00", "points": "li4 st36", "spo2_pre": "94", "adverse_events": ["none"]}
    with connection.execute_wrapper(drop_before_the_points_are_written):
        response = staff.post(url, entry)

    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "We are briefly unavailable" in response.content.decode()
    database_outage.start()
    assert not TreatmentSession.objects.exists()
    assert staff.post(url, entry).status_code == 302
    assert TreatmentSession.objects.get().number == 1
