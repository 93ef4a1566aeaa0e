"""Importing sessions from Django admin: upload, follow the dry run, confirm. Same service, same messages.

The jobs run at once here (the immediate backend, as under `make run`); clinic/tests/test_worker.py
runs the same pages against a real `db_worker`.
"""

import os
import stat
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.models import Patient
from sessions import admin_import
from sessions import import_files as files
from sessions.models import TreatmentSession
from sessions.tests.test_import import GOOD_FILE

URL = "/admin/treatment_sessions/treatmentsession/import/"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR


def _upload(client, text, name="history.csv"):
    """Upload `text` and follow to the job's page; return the page."""
    return client.post(
        URL, {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}, follow=True
    )


def _token(response):
    return response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]


def _dry_run(client, user):
    """Sign in as `user`, upload GOOD_FILE and return the token of its dry run, waiting to be confirmed."""
    client.force_login(user)
    return _token(_upload(client, GOOD_FILE))


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
    response = _upload(client, GOOD_FILE)
    html = response.content.decode()
    assert "Dry run: nothing written yet" in html
    assert (
        "3 rows: 3 new sessions and 0 existing sessions would be written for 2 new patients and 0 existing patients."
        in html
    )
    assert not TreatmentSession.objects.exists()

    job_page = response.redirect_chain[-1][0]
    html = client.post(job_page, {"confirm": "1"}, follow=True).content.decode()
    assert "Imported history.csv as lead." in html
    assert "3 rows: 3 new sessions and 0 existing sessions were written" in html
    assert TreatmentSession.objects.count() == 3 and Patient.objects.count() == 2
    assert not files.upload_path(_token(response)).exists()


@pytest.mark.django_db
def test_the_job_page_can_be_left_and_found_again_from_the_upload_page(client, clinic_lead):
    token = _dry_run(client, clinic_lead)
    html = client.get(URL).content.decode()
    assert "Your imports of the last day" in html
    assert f'href="{URL}{token}/"' in html and "checked: waiting for your confirmation" in html
    assert "3 rows" in client.get(f"{URL}{token}/").content.decode()


@pytest.mark.django_db
def test_another_user_cannot_open_someone_else_s_import(client, clinic_lead, django_user_model):
    token = _dry_run(client, clinic_lead)
    other = django_user_model.objects.create_user("lead-2", is_staff=True)
    other.groups.set(clinic_lead.groups.all())
    client.force_login(other)
    assert client.get(f"{URL}{token}/").status_code == 404
    assert client.post(f"{URL}{token}/", {"confirm": "1"}).status_code == 404
    assert client.get(f"{URL}{'0' * 32}/").status_code == 404
    assert client.get(f"{URL}not-a-job/").status_code == 404
    assert not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_a_file_too_long_for_a_request_is_sent_to_the_command_when_jobs_run_in_the_request(
    client, clinic_lead, monkeypatch
):
    monkeypatch.setattr(admin_import, "ADMIN_IMPORT_MAX_ROWS", 3)
    client.force_login(clinic_lead)
    response = _upload(client, GOOD_FILE)
    html = response.content.decode()
    assert "3 rows: 3 new sessions and 0 existing sessions would be written" in html
    assert "A file of 3 rows or more is imported from the command line" in html
    assert "python manage.py import_sessions history.csv" in html
    assert 'name="confirm"' not in html
    client.post(response.redirect_chain[-1][0], {"confirm": "1"})
    assert not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_a_large_import_warns_that_it_holds_the_tables(client, clinic_lead, monkeypatch):
    monkeypatch.setattr(admin_import.postgresql, "BULK_CHECK_FROM_ROWS", 3)
    monkeypatch.setattr(admin_import, "ADMIN_IMPORT_MAX_ROWS", 1000)
    client.force_login(clinic_lead)
    html = _upload(client, GOOD_FILE).content.decode()
    assert "holds the patient and session tables while it" in html and 'name="confirm"' in html


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
    stored = files.upload_path(token)
    assert stored.exists()
    response = client.post(f"{URL}{token}/", {"cancel": "1"}, follow=True)
    assert "Cancelled: history.csv was not imported and the uploaded copy is deleted." in response.content.decode()
    assert not stored.exists()
    html = client.post(f"{URL}{token}/", {"confirm": "1"}, follow=True).content.decode()
    assert "already been confirmed or cancelled" in html
    assert not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_uploads_and_job_states_are_readable_by_the_app_s_user_only(client, clinic_lead, upload_dir):
    token = _dry_run(client, clinic_lead)
    assert stat.S_IMODE(upload_dir.stat().st_mode) == 0o700
    for path in upload_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert {path.name for path in upload_dir.iterdir()} == {f"{token}.csv", f"{token}.json"}


@pytest.mark.django_db
def test_a_folder_left_open_by_an_earlier_version_is_closed(client, clinic_lead, upload_dir):
    upload_dir.mkdir(mode=0o755)
    upload_dir.chmod(0o755)
    _dry_run(client, clinic_lead)
    assert stat.S_IMODE(upload_dir.stat().st_mode) == 0o700


@pytest.mark.django_db
def test_an_upload_left_unconfirmed_is_deleted_after_an_hour(client, clinic_lead):
    token = _dry_run(client, clinic_lead)
    stored = files.upload_path(token)
    hour_ago = time.time() - files.UPLOAD_MAX_AGE - 1
    for path in stored.parent.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    client.get(URL)  # anyone opening the import page clears what is left over
    assert not stored.exists()
    assert "Nobody confirmed this import within an hour" in client.get(f"{URL}{token}/").content.decode()


@pytest.mark.django_db
def test_an_upload_whose_worker_stopped_mid_job_is_swept_and_says_so(client, clinic_lead, upload_dir):
    # A job a worker claimed and never finished (killed): its state stopped changing an hour ago.
    token = _dry_run(client, clinic_lead)
    state = files.job_load(token)
    files.job_save(state, stage=files.IMPORTING)
    hour_ago = time.time() - files.UPLOAD_MAX_AGE - 1
    for path in upload_dir.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    assert files.sweep() >= 1
    assert not files.upload_path(token).exists()
    html = client.get(f"{URL}{token}/").content.decode()
    assert "the worker stopped before it finished" in html


@pytest.mark.django_db
def test_outcomes_are_kept_for_a_day(client, clinic_lead):
    token = _dry_run(client, clinic_lead)
    client.post(f"{URL}{token}/", {"confirm": "1"})
    day_ago = time.time() - files.RESULT_MAX_AGE - 1
    for path in files.folder().iterdir():
        os.utime(path, (day_ago, day_ago))
    files.sweep()
    assert list(files.folder().iterdir()) == []
    assert client.get(f"{URL}{token}/").status_code == 404


@pytest.mark.django_db
def test_a_bad_file_lists_every_problem_as_the_command_does_and_is_deleted(client, clinic_lead, upload_dir):
    client.force_login(clinic_lead)
    text = GOOD_FILE.replace("H-2,RAYNAUD'S PHENOMENON,1", "H-2,Gout,0")
    response = _upload(client, text)
    html = response.content.decode()
    assert "Nothing was imported: 2 problems in history.csv." in html
    assert "line 4: condition: unknown condition &#x27;Gout&#x27;" in html
    assert "line 4: session_number: 0 is outside 1–10000; session numbers start at 1" in html
    assert 'name="confirm"' not in html
    assert not files.upload_path(_token(response)).exists()
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_cannot_be_replayed(client, clinic_lead):
    token = _dry_run(client, clinic_lead)
    client.post(f"{URL}{token}/", {"confirm": "1"})
    response = client.post(f"{URL}{token}/", {"confirm": "1"}, follow=True)
    assert "already been confirmed or cancelled" in response.content.decode()
    assert TreatmentSession.objects.count() == 3


@pytest.mark.django_db
def test_a_file_that_is_not_csv_is_refused_with_nothing_kept(client, clinic_lead, upload_dir):
    client.force_login(clinic_lead)
    html = _upload(client, "hello", name="notes.pdf").content.decode()
    assert "Choose a .csv file." in html
    assert list(upload_dir.iterdir()) == []


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_while_it_streams_naming_the_command(
    client, clinic_lead, settings, upload_dir
):
    settings.IMPORT_UPLOAD_MAX_MB = 1
    client.force_login(clinic_lead)
    big = GOOD_FILE + "\n".join(f"H-{i},other,1,2025-01-06,Ann,Lee,yes,,94,95,,,,," for i in range(30_000))
    assert len(big) > 1024 * 1024
    response = _upload(client, big)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This file is larger than 1 MB, the most this page accepts." in html
    assert "python manage.py import_sessions FILE.csv" in html
    assert list(upload_dir.iterdir()) == []  # the part received was deleted
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_size_limit_holds_without_a_content_length_too(clinic_lead, settings, upload_dir):
    """A client that understates its length is still stopped by the bytes counted."""
    from django.test import RequestFactory

    settings.IMPORT_UPLOAD_MAX_MB = 1
    request = RequestFactory().post(
        URL, {"file": SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024), content_type="text/csv")}
    )
    request.META["CONTENT_LENGTH"] = "100"
    handler = files.PrivateUploadHandler(request, max_bytes=1024 * 1024)
    request.upload_handlers = [handler]
    assert "file" not in request.FILES
    assert handler.too_large
    assert list(upload_dir.iterdir()) == []


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
        client.post(f"{URL}{token}/", {"confirm": "1"})
    assert "Sessions imported by lead: 3 rows" in caplog.text


def test_the_upload_page_lists_every_column_the_import_accepts(client, clinic_lead):
    from sessions.importing import COLUMNS

    client.force_login(clinic_lead)
    html = client.get(URL).content.decode()
    columns = html.split('id="import-columns"')[1].split("</div>")[0]
    assert all(f"<code>{name}</code>" in columns for name in COLUMNS)
    assert "See the README" not in html


@pytest.mark.django_db
def test_the_sweep_command_deletes_what_nobody_confirmed(client, clinic_lead):
    from io import StringIO

    from django.core.management import call_command

    token = _dry_run(client, clinic_lead)
    hour_ago = time.time() - files.UPLOAD_MAX_AGE - 1
    for path in files.folder().iterdir():
        os.utime(path, (hour_ago, hour_ago))
    out = StringIO()
    call_command("sweep_imports", stdout=out)
    assert "Deleted 1 file(s)." in out.getvalue()
    assert not files.upload_path(token).exists()


@pytest.mark.django_db
def test_a_job_no_worker_started_within_an_hour_says_so(client, clinic_lead, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(clinic_lead)
    token = _token(_upload(client, GOOD_FILE))
    hour_ago = time.time() - files.UPLOAD_MAX_AGE - 1
    for path in files.folder().iterdir():
        os.utime(path, (hour_ago, hour_ago))
    files.sweep()
    html = client.get(f"{URL}{token}/").content.decode()
    assert "no worker started it within an hour" in html and not files.upload_path(token).exists()
