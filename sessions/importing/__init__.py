"""Historical import of treatment sessions from CSV (docs/design.md, "Historical import (CSV)").

`sessions_import` reads the file once, as a stream: each row is checked and its cleaned values
go into a temporary staging table in batches, so memory stays flat however long the file is.
The checks that span rows (the same session twice, a new patient without names, a patient
whose details differ between rows, a session before the patient's date of birth) are then
queries on the staging table, and the writes are a handful of set-based statements
(INSERT … SELECT … ON CONFLICT) in the same transaction.
Nothing is written unless every row is right.

By job: reading (lines, header, value parsers, the per-row cleaner), staging (the staging
tables, and streaming the file into them), checks (across rows, and the summary counts),
writes (patients, sessions, point links, history rows), postgresql (tuning; the bulk foreign-key
check of large imports, and the indexes built after the writes of a first one). This module runs
them in order, in one transaction.
"""

import getpass
import logging
from contextlib import nullcontext

from django.db import connection, transaction
from django.utils import timezone

from patients.models import Patient

# The PostgreSQL module is used through its name, so that its thresholds are read when an import
# runs (tests lower BULK_CHECK_FROM_ROWS and BULK_LOCK_TIMEOUT on it to take the large-import path).
from sessions.importing import postgresql
from sessions.importing.checks import ImportSummary, cross_row_problems, import_summary
from sessions.importing.postgresql import ImportBusy
from sessions.importing.reading import (
    COLUMNS,
    NEW_PATIENT_COLUMNS,
    OPTIONAL_COLUMNS,
    PATIENT_DETAIL_COLUMNS,
    REQUIRED_COLUMNS,
    SESSION_COLUMNS,
)
from sessions.importing.staging import stage_file, staging_create, staging_drop
from sessions.importing.writes import (
    insert_new_patients,
    record_history,
    replace_points,
    settle_consent_times,
    update_existing_patients,
    upsert_sessions,
)
from sessions.models import TreatmentSession

__all__ = [
    "COLUMNS",
    "NEW_PATIENT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PATIENT_DETAIL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SESSION_COLUMNS",
    "ImportBusy",
    "ImportRejected",
    "ImportSummary",
    "sessions_import",
]

logger = logging.getLogger(__name__)


class ImportRejected(Exception):
    """The file cannot be imported; `problems` are `line N: column: message` strings."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = problems


def sessions_import(*, source, dry_run=False, imported_by=None, progress=None):
    """Import the CSV in the binary file `source`; return an ImportSummary.

    All or nothing: raise ImportRejected, writing nothing, listing every problem as
    `line N: column: message` (the header is line 1). A row updates the session with the same
    patient_ref and session number, so importing a file twice changes nothing the second time.
    Columns left out of the file leave those fields of existing sessions as they are.
    With `dry_run`, check and count, write nothing. `progress` (clinic.lib.progress.Progress) is
    advanced by the bytes read. `imported_by` (a user) is recorded in the log and, with the time,
    in a history row of every patient and session the import created or changed.
    """
    problems = []
    with transaction.atomic(), connection.cursor() as cursor:
        staging_create(cursor)
        header, rows_count, names_refused = stage_file(cursor, source, problems, progress)
        on_postgresql = connection.vendor == "postgresql"
        if on_postgresql:
            work_mem = postgresql.tune_for_staged_rows(cursor)
        if header is not None:
            problems += cross_row_problems(cursor, header, names_refused)
        if problems:
            raise ImportRejected(_format(problems))
        summary = import_summary(cursor, rows_count, dry_run)
        if not dry_run:
            now = timezone.now()
            if on_postgresql:
                # Django's foreign keys are checked at commit by default. Checking them at the end of
                # each statement instead is the same check, but PostgreSQL does it about twice as
                # fast as working through millions of queued events at commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            bulk_checked = (
                on_postgresql and rows_count >= postgresql.BULK_CHECK_FROM_ROWS and postgresql.may_alter_keys(cursor)
            )
            with postgresql.bulk_write(cursor) if bulk_checked else nullcontext(False) as first_import:
                update_existing_patients(cursor, now)
                insert_new_patients(cursor, now)
                settle_consent_times(now)
                upsert_sessions(cursor, header, now, into_empty=first_import)
                if "points" in header:
                    replace_points(cursor, into_empty=first_import)
                record_history(cursor, Patient, Patient.audit_log.model, now, imported_by)
                record_history(cursor, TreatmentSession, TreatmentSession.history.model, now, imported_by)
            if on_postgresql:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for this transaction
            if on_postgresql and rows_count >= postgresql.ANALYZE_FROM_ROWS:
                postgresql.analyze(cursor)
            logger.info(
                "Sessions imported by %s: %s",
                getattr(imported_by, "username", None) or f"command line ({getpass.getuser()})",
                summary,
            )
        if on_postgresql:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])  # for the rest of the transaction
        staging_drop(cursor)
    return summary


def _format(problems):
    order = {name: index for index, name in enumerate(COLUMNS)}
    problems.sort(key=lambda problem: (problem[0], order.get(problem[1], -1)))
    return [f"line {line}: {column}: {message}" for line, column, message in problems]
