"""Large imports on PostgreSQL check their foreign keys in one pass after the writes (see importing/postgresql.py)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from patients.models import Patient
from sessions.importing import ImportBusy, postgresql
from sessions.models import Acupoint, TreatmentSession
from sessions.tests.test_admin_import import URL, _dry_run
from sessions.tests.test_import import GOOD_FILE, _database_state, _import

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bulk check is PostgreSQL's; SQLite imports check row by row"
)

BUSY = "The patient and session tables stayed in use by other work for too long, so nothing was imported."


def _foreign_keys():
    """Every foreign key between the tables an import writes, as PostgreSQL defines it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated
               FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text LIKE ANY (%s)
               ORDER BY 1, 2""",
            [["patients_%", "treatment_sessions_%"]],
        )
        return cursor.fetchall()


@pytest.fixture
def bulk(monkeypatch):
    """Make every import, however short, take the large-import path."""
    monkeypatch.setattr(postgresql, "BULK_CHECK_FROM_ROWS", 1)


@pytest.mark.django_db
def test_a_bulk_checked_import_writes_what_a_row_by_row_one_does(monkeypatch):
    with transaction.atomic():
        _import(GOOD_FILE)
        row_by_row = _database_state()
        transaction.set_rollback(True)
    assert not Patient.objects.exists()
    keys = _foreign_keys()

    monkeypatch.setattr(postgresql, "BULK_CHECK_FROM_ROWS", 1)
    summary = _import(GOOD_FILE)
    assert (summary.new_patients, summary.new_sessions) == (2, 3)
    assert _database_state() == row_by_row
    # Importing the same file again changes nothing here either.
    _import(GOOD_FILE)
    assert _database_state() == row_by_row
    assert _foreign_keys() == keys


@pytest.mark.django_db
def test_after_a_bulk_checked_import_the_foreign_keys_still_refuse_bad_rows(bulk):
    _import(GOOD_FILE)
    session = TreatmentSession.objects.first()
    missing_point = Acupoint.objects.order_by("-pk").first().pk + 1
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO treatment_sessions_treatmentsession_points (treatmentsession_id, acupoint_id) VALUES (%s, %s)",
            [session.pk, missing_point],
        )


@pytest.mark.django_db
def test_a_database_user_that_cannot_alter_the_tables_imports_row_by_row(bulk):
    keys = _foreign_keys()
    with connection.cursor() as cursor:
        # A least-privilege deployment: the app's user reads and writes the tables but does not own them.
        cursor.execute("CREATE ROLE acuflow_app_only")
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO acuflow_app_only")
        cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO acuflow_app_only")
        cursor.execute("SET ROLE acuflow_app_only")
    summary = _import(GOOD_FILE)
    assert (summary.new_patients, summary.new_sessions) == (2, 3)
    assert TreatmentSession.objects.count() == 3
    assert _foreign_keys() == keys


@pytest.fixture
def sessions_table_in_use(table_held):
    """Another connection reading the sessions table in a transaction that stays open until the test ends."""
    table_held("treatment_sessions_treatmentsession", "ACCESS SHARE")


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_that_cannot_get_its_tables_gives_up_and_writes_nothing(
    bulk, monkeypatch, sessions_table_in_use, tmp_path
):
    monkeypatch.setattr(postgresql, "BULK_LOCK_TIMEOUT", "300ms")
    keys = _foreign_keys()
    with pytest.raises(ImportBusy, match=BUSY):
        _import(GOOD_FILE)
    path = tmp_path / "history.csv"
    path.write_text(GOOD_FILE, encoding="utf-8")
    with pytest.raises(CommandError, match=f"{BUSY} Run the import again in a few minutes."):
        call_command("import_sessions", str(path))
    assert not Patient.objects.exists() and not TreatmentSession.objects.exists()
    assert _foreign_keys() == keys


@pytest.mark.django_db(transaction=True)
def test_the_admin_says_when_a_large_import_found_the_tables_busy(
    bulk, monkeypatch, sessions_table_in_use, client, clinic_lead
):
    monkeypatch.setattr(postgresql, "BULK_LOCK_TIMEOUT", "300ms")
    token = _dry_run(client, clinic_lead)
    response = client.post(f"{URL}{token}/", {"confirm": "1"}, follow=True)
    html = response.content.decode()
    assert f"{BUSY} Upload history.csv again in a few minutes." in html
    assert f'href="{URL}">Upload a file</a>' in html
    assert not Patient.objects.exists()
