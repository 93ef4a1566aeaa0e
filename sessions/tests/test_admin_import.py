"""Importing sessions from Django admin: upload, read the dry run, confirm. Same service, same messages."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.models import Patient
from sessions import admin_import
from sessions.models import TreatmentSession
from sessions.tests.test_import import GOOD_FILE

URL = "/admin/treatment_sessions/treatmentsession/import/"


def _upload(client, text, name="history.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})


def _dry_run(client, user):
    """Sign in as `user`, upload GOOD_FILE and return the token of its dry run, waiting to be confirmed."""
    client.force_login(user)
    _upload(client, GOOD_FILE)
    return client.session["session_import"]["token"]


@pytest.mark.django_db
def test_only_staff_with_the_import_permission_may_import(client, clinic_lead, front_desk):
    client.force_login(front_desk)
    assert client.get(URL).status_code == 403
    assert "Import from CSV" not in client.get("/admin/treatment_sessions/treatmentsession/").content.decode()
    client.force_login(clinic_lead)
    assert client.get(URL).status_code == 200
    assert "Import from CSV" in client.get("/admin/treatment_sessions/treatmentsession/").content.decode()


@pytest.mark.django_db
def test_the_upload_shows_the_dry_run_and_writes_nothing_until_confirmed(client, clinic_lead):
    client.force_login(clinic_lead)
    html = _upload(client, GOOD_FILE).content.decode()
    assert "Dry run of history.csv: nothing written yet" in html
    assert (
        "3 rows: 3 new sessions and 0 existing sessions would be written for 2 new patients and 0 existing patients."
        in html
    )
    assert not TreatmentSession.objects.exists()

    token = client.session["session_import"]["token"]
    response = client.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/treatment_sessions/treatmentsession/"
    html = response.content.decode()
    assert "Imported history.csv as lead." in html
    assert "3 rows: 3 new sessions and 0 existing sessions were written" in html
    assert TreatmentSession.objects.count() == 3 and Patient.objects.count() == 2


@pytest.mark.django_db
def test_a_file_too_long_for_the_browser_is_sent_to_the_command(client, clinic_lead, monkeypatch):
    monkeypatch.setattr(admin_import, "ADMIN_IMPORT_MAX_ROWS", 3)
    client.force_login(clinic_lead)
    html = _upload(client, GOOD_FILE).content.decode()
    assert "3 rows: 3 new sessions and 0 existing sessions would be written" in html
    assert "A file of 3 rows or more is imported from the command line" in html
    assert "python manage.py import_sessions history.csv" in html
    assert 'name="confirm"' not in html
    assert "session_import" not in client.session
    assert not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_a_one_row_file_reads_as_one_row(client, clinic_lead):
    client.force_login(clinic_lead)
    html = _upload(client, "\n".join(GOOD_FILE.splitlines()[:2])).content.decode()
    assert (
        "1 row: 1 new session and 0 existing sessions would be written for 1 new patient and 0 existing patients."
        in html
    )
    assert 'value="Import this row"' in html


@pytest.mark.django_db
def test_cancelling_a_dry_run_deletes_the_uploaded_copy(client, clinic_lead):
    token = _dry_run(client, clinic_lead)
    stored = admin_import._upload_path(token)
    assert stored.exists()
    response = client.post(URL, {"cancel": "1", "token": token}, follow=True)
    assert "Cancelled: history.csv was not imported and the uploaded copy is deleted." in response.content.decode()
    assert not stored.exists()
    assert client.post(URL, {"confirm": "1", "token": token}).status_code == 302
    assert not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_an_upload_left_unconfirmed_is_deleted_after_an_hour(client, clinic_lead):
    stored = admin_import._upload_path(_dry_run(client, clinic_lead))
    hour_ago = time.time() - admin_import.UPLOAD_MAX_AGE - 1
    os.utime(stored, (hour_ago, hour_ago))
    client.get(URL)  # anyone opening the import page clears what is left over
    assert not stored.exists()


@pytest.mark.django_db
def test_a_bad_file_lists_every_problem_as_the_command_does(client, clinic_lead):
    client.force_login(clinic_lead)
    text = GOOD_FILE.replace("H-2,RAYNAUD'S PHENOMENON,1", "H-2,Gout,0")
    html = _upload(client, text).content.decode()
    assert "Nothing was imported: 2 problems in history.csv." in html
    assert "line 4: condition: unknown condition &#x27;Gout&#x27;" in html
    assert "line 4: session_number: 0 is outside 1–10000; session numbers start at 1" in html
    assert 'name="confirm"' not in html
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_cannot_be_replayed(client, clinic_lead):
    token = _dry_run(client, clinic_lead)
    client.post(URL, {"confirm": "1", "token": token})
    response = client.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert "That upload has expired or was already imported" in response.content.decode()
    assert TreatmentSession.objects.count() == 3


@pytest.mark.django_db
def test_a_file_that_is_not_csv_is_refused_with_the_form_kept(client, clinic_lead):
    client.force_login(clinic_lead)
    html = _upload(client, "hello", name="notes.pdf").content.decode()
    assert "Choose a .csv file." in html


@pytest.mark.django_db
def test_a_file_with_very_many_problems_shows_the_first_thousand_and_the_count(client, clinic_lead):
    client.force_login(clinic_lead)
    rows = [f"H-{i},other,1,2025-01-06,Ann,Lee,yes,,101,94,,,,," for i in range(1200)]
    html = _upload(client, "\n".join([GOOD_FILE.splitlines()[0], *rows])).content.decode()
    assert "Nothing was imported: 1200 problems in history.csv." in html
    assert html.count("spo2_pre: 101 is outside 50–100") == 1000
    assert "… and 200 more." in html


@pytest.mark.django_db
def test_the_log_records_who_imported(client, clinic_lead, caplog):
    token = _dry_run(client, clinic_lead)
    with caplog.at_level("INFO"):
        client.post(URL, {"confirm": "1", "token": token})
    assert "Sessions imported by lead: 3 rows" in caplog.text


def test_the_upload_page_lists_every_column_the_import_accepts(client, clinic_lead):
    from sessions.importing import COLUMNS

    client.force_login(clinic_lead)
    html = client.get(URL).content.decode()
    columns = html.split('id="import-columns"')[1].split("</div>")[0]
    assert all(f"<code>{name}</code>" in columns for name in COLUMNS)
    assert "See the README" not in html
