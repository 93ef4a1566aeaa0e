"""Large imports on PostgreSQL check their foreign keys in one pass after the writes, and a first one builds
its indexes after them (see importing/postgresql.py)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from patients.models import Patient
from sessions.importing import ImportBusy, postgresql
from sessions.models import Acupoint, TreatmentSession
from sessions.tests.test_admin_import import URL, _dry_run
from sessions.tests.test_import import GOOD_FILE, _database_state, _import, _problems

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


def _indexes():
    """Every index of the tables an import writes, as PostgreSQL defines it, and its object id.

    An index built again after a first import's writes has the same definition and a new id.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT index_.relname, pg_get_indexdef(idx.indexrelid), idx.indexrelid
               FROM pg_index idx JOIN pg_class table_ ON table_.oid = idx.indrelid
               JOIN pg_class index_ ON index_.oid = idx.indexrelid
               WHERE table_.relname LIKE ANY (%s) ORDER BY 1""",
            [["patients_%", "treatment_sessions_%"]],
        )
        rows = cursor.fetchall()
    return [(name, definition) for name, definition, _ in rows], {name: oid for name, _, oid in rows}


def _unique_constraints():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE contype IN ('u', 'p') AND conrelid::regclass::text LIKE ANY (%s) ORDER BY 1, 2""",
            [["patients_%", "treatment_sessions_%"]],
        )
        return cursor.fetchall()


def _history_state():
    """The history rows of imported patients and sessions, as the admin's history pages show them."""
    patients = sorted(
        Patient.audit_log.values_list(
            "patient_ref", "first_name", "last_name", "research_consent", "history_type", "history_change_reason"
        )
    )
    sessions = sorted(
        TreatmentSession.history.values_list(
            "patient__patient_ref", "number", "started_at", "spo2_pre", "history_type", "history_change_reason"
        )
    )
    return patients, sessions


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
def test_a_first_import_into_empty_tables_writes_what_the_usual_path_does(monkeypatch):
    with transaction.atomic():
        _import(GOOD_FILE)
        usual = _database_state(), _history_state()
        transaction.set_rollback(True)
    assert not Patient.objects.exists()
    indexes, ids = _indexes()
    constraints = _unique_constraints()

    monkeypatch.setattr(postgresql, "BULK_CHECK_FROM_ROWS", 1)
    summary = _import(GOOD_FILE)
    assert (summary.new_patients, summary.new_sessions) == (2, 3)
    assert (_database_state(), _history_state()) == usual
    assert TreatmentSession.points.through.objects.count() == 4
    # The same indexes and unique constraints are back, built again after the writes.
    after, rebuilt_ids = _indexes()
    assert after == indexes
    assert _unique_constraints() == constraints
    assert rebuilt_ids["session_number_unique_per_patient"] != ids["session_number_unique_per_patient"]
    assert rebuilt_ids["treatment_sessions_treatmentsession_pkey"] == ids["treatment_sessions_treatmentsession_pkey"]

    # The tables are no longer empty: the same file again takes the upsert, changes nothing, keeps the indexes.
    _import(GOOD_FILE)
    assert (_database_state(), _history_state()) == usual
    assert _indexes() == (indexes, rebuilt_ids)


@pytest.mark.django_db
def test_a_first_import_refuses_a_session_given_twice_by_its_line_and_writes_nothing(bulk):
    indexes = _indexes()
    text = GOOD_FILE + "\nH-1,Chronic Fatigue Syndrome,1,2025-01-07,Ada,Lovelace,yes,,92,94,,,,,"
    assert _problems(text) == ["line 5: session_number: session 1 of patient H-1 is already on line 2"]
    bad_point = GOOD_FILE.replace("li 4;sj5", "li 4;XX99")
    assert _problems(bad_point) == ["line 2: points: Unknown acupoint code: XX99"]
    assert not Patient.objects.exists() and not Patient.audit_log.exists()
    assert not TreatmentSession.objects.exists() and not TreatmentSession.history.exists()
    assert _indexes() == indexes


@pytest.mark.django_db
def test_a_first_import_that_fails_while_writing_leaves_nothing_written_and_every_index_in_place(bulk):
    indexes, keys = _indexes(), _foreign_keys()
    with connection.cursor() as cursor:
        # Something the file's checks cannot know about: a rule of this database refusing a second session.
        cursor.execute(
            "ALTER TABLE treatment_sessions_treatmentsession ADD CONSTRAINT only_first CHECK (number = 1) NOT VALID"
        )
    with pytest.raises(IntegrityError):
        _import(GOOD_FILE)
    assert not Patient.objects.exists() and not Patient.audit_log.exists()
    assert not TreatmentSession.objects.exists() and not TreatmentSession.history.exists()
    assert (_indexes(), _foreign_keys()) == (indexes, keys)


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
