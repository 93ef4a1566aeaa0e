"""Pass 2: the checks across rows, as queries on the staging table, and the summary counts."""

# The SQL below is assembled from table and column names taken from the models and from this
# package's constants, quoted with quote_name; every value travels as a query parameter.
# ruff: noqa: S608

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from patients.models import Patient
from sessions.importing.reading import NEW_PATIENT_COLUMNS, PATIENT_DETAIL_COLUMNS
from sessions.importing.staging import ROWS_TABLE, q
from sessions.models import TreatmentSession


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    new_patients: int
    existing_patients: int
    new_sessions: int
    updated_sessions: int
    dry_run: bool

    def __str__(self):
        def count(number, noun):
            return f"{number:,} {noun if number == 1 else noun + 's'}"

        verb = "would be" if self.dry_run else "were"
        return (
            f"{count(self.rows, 'row')}: {count(self.new_sessions, 'new session')} and "
            f"{count(self.updated_sessions, 'existing session')} {verb} written for "
            f"{count(self.new_patients, 'new patient')} and {count(self.existing_patients, 'existing patient')}."
        )


def cross_row_problems(cursor, header, names_refused):
    problems = []
    rows, patients = q(ROWS_TABLE), q(Patient._meta.db_table)
    cursor.execute(f"CREATE INDEX {q(ROWS_TABLE + '_key')} ON {rows} (patient_ref, number)")
    cursor.execute(
        f"""SELECT later.line, later.patient_ref, later.number, MIN(first.line)
            FROM {rows} later JOIN {rows} first
              ON first.patient_ref = later.patient_ref AND first.number = later.number AND first.line < later.line
            GROUP BY later.line, later.patient_ref, later.number"""
    )
    for line, ref, number, first_line in cursor.fetchall():
        problems.append((line, "session_number", f"session {number} of patient {ref} is already on line {first_line}"))
    cursor.execute(
        f"""SELECT MIN(staged.line), staged.patient_ref, MAX(staged.first_name), MAX(staged.last_name)
            FROM {rows} staged LEFT JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            WHERE patient.id IS NULL
            GROUP BY staged.patient_ref
            HAVING MAX(staged.first_name) IS NULL OR MAX(staged.last_name) IS NULL"""
    )
    for line, ref, first_name, last_name in cursor.fetchall():
        for column, value in zip(NEW_PATIENT_COLUMNS, (first_name, last_name), strict=True):
            if value is None and (ref, column) not in names_refused:
                problems.append((line, column, f"is required for {ref}, who is not in the database yet"))
    problems += _sessions_before_birth(cursor)
    detail_columns = [(name, "condition_id" if name == "condition" else name) for name in PATIENT_DETAIL_COLUMNS]
    detail_columns = [(name, column) for name, column in detail_columns if name in header]
    if not detail_columns:
        return problems
    any_differs = " OR ".join(f"COUNT(DISTINCT {q(column)}) > 1" for _, column in detail_columns)
    cursor.execute(f"SELECT patient_ref FROM {rows} GROUP BY patient_ref HAVING {any_differs} LIMIT 1")
    if cursor.fetchone() is None:
        return problems
    for name, column in detail_columns:
        cursor.execute(
            f"""SELECT staged.line, staged.patient_ref, first.line
                FROM {rows} staged
                JOIN (SELECT patient_ref, MIN(line) AS line FROM {rows} WHERE {q(column)} IS NOT NULL
                      GROUP BY patient_ref) first_line ON first_line.patient_ref = staged.patient_ref
                JOIN {rows} first ON first.line = first_line.line
                WHERE staged.{q(column)} IS NOT NULL AND staged.{q(column)} <> first.{q(column)}"""
        )
        for line, ref, first_line in cursor.fetchall():
            problems.append((line, name, f"differs from line {first_line} for patient {ref}"))
    return problems


def _sessions_before_birth(cursor):
    """Return a problem for each session dated before its patient's date of birth.

    The date of birth is the file's (any row of the patient) or else the database's. The
    session's date is its clinic-local date, as in the workspace's session form: Django's date
    cast converts to TIME_ZONE on SQLite and PostgreSQL alike (PostgreSQL's connection is in UTC),
    so a session on the day of birth in a clinic ahead of UTC is not mistaken for the day before.
    """
    rows, patients = q(ROWS_TABLE), q(Patient._meta.db_table)
    session_day, params = connection.ops.datetime_cast_date_sql(
        "staged.started_at", (), timezone.get_default_timezone_name()
    )
    cursor.execute(
        f"""SELECT line, session_day, date_of_birth FROM (
                SELECT staged.line, {session_day} AS session_day, born.date_of_birth
                FROM {rows} staged
                JOIN (SELECT given.patient_ref, COALESCE(given.date_of_birth, patient.date_of_birth) AS date_of_birth
                      FROM (SELECT patient_ref, MAX(date_of_birth) AS date_of_birth FROM {rows}
                            GROUP BY patient_ref) given
                      LEFT JOIN {patients} patient ON patient.patient_ref = given.patient_ref) born
                  ON born.patient_ref = staged.patient_ref
                WHERE born.date_of_birth IS NOT NULL) dated
            WHERE session_day < date_of_birth""",
        params,
    )
    return [
        (line, "session_date", f"{day} is before the patient's date of birth ({born}): check the dates")
        for line, day, born in cursor.fetchall()
    ]


def import_summary(cursor, rows_count, dry_run):
    rows, patients, sessions = q(ROWS_TABLE), q(Patient._meta.db_table), q(TreatmentSession._meta.db_table)
    cursor.execute(
        f"""SELECT COUNT(*), COUNT(patient.id)
            FROM (SELECT DISTINCT patient_ref FROM {rows}) staged
            LEFT JOIN {patients} patient ON patient.patient_ref = staged.patient_ref"""
    )
    refs, existing_patients = cursor.fetchone()
    cursor.execute(
        f"""SELECT COUNT(*) FROM {rows} staged
            JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            JOIN {sessions} session ON session.patient_id = patient.id AND session.number = staged.number"""
    )
    (existing_sessions,) = cursor.fetchone()
    return ImportSummary(
        rows=rows_count,
        new_patients=refs - existing_patients,
        existing_patients=existing_patients,
        new_sessions=rows_count - existing_sessions,
        updated_sessions=existing_sessions,
        dry_run=dry_run,
    )
