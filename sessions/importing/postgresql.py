"""PostgreSQL-specific tuning of an import: work_mem and statistics, the bulk foreign-key check.

sessions_import calls these only on PostgreSQL; on SQLite the same import runs without them.
"""

# The SQL below is assembled from table and column names taken from the models and from this
# package's constants, quoted with quote_name; every value travels as a query parameter.
# ruff: noqa: S608

from contextlib import contextmanager

from django.db import OperationalError

from patients.models import Patient
from sessions.importing.staging import POINTS_TABLE, ROWS_TABLE, q
from sessions.models import Acupoint, TreatmentSession

# On PostgreSQL, an import at least this long refreshes the planner statistics of the tables it wrote.
ANALYZE_FROM_ROWS = 10_000
# PostgreSQL's work_mem while an import runs: enough to join and sort a million staged rows in memory.
IMPORT_WORK_MEM = "128MB"
# On PostgreSQL, an import at least this long checks the foreign keys of the rows it writes in one
# pass after the writes rather than row by row, holding the tables it writes for its duration.
BULK_CHECK_FROM_ROWS = 100_000
# How long a bulk-checked import waits for the tables it writes before giving up.
BULK_LOCK_TIMEOUT = "15s"


class ImportBusy(Exception):
    """The tables a large import writes stayed in use; nothing was written and the file can be sent again."""


# The foreign keys a large import checks in bulk: (table, referenced table) of the rows it writes.
def _bulk_checked_keys():
    links = TreatmentSession.points.through
    return [
        (TreatmentSession._meta.db_table, Patient._meta.db_table),
        (links._meta.db_table, TreatmentSession._meta.db_table),
        (links._meta.db_table, Acupoint._meta.db_table),
    ]


def may_alter_keys(cursor):
    """Whether this database user owns the tables whose keys a bulk check drops and adds back.

    A deployment may run the app as a user that can read and write the tables but not alter them;
    its large imports check their keys row by row.
    """
    tables = [table for table, _ in _bulk_checked_keys()]
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(%s::regclass[])",
        [[q(table) for table in tables]],
    )
    return bool(cursor.fetchone()[0])


@contextmanager
def foreign_keys_checked_in_bulk(cursor):
    """Check the foreign keys of the rows written inside the block once, after them, not row by row.

    PostgreSQL checks a foreign key row by row, with a lookup and a row lock on the referenced row
    each time: for a million sessions and three million point links that is most of the import
    (about 40 of 80 seconds). Its manual's advice for loading data ("Populating a Database") is to
    drop the foreign keys, load, and add them again, which checks every row in one join. Here all
    three steps happen inside the import's transaction: the keys are added back, and every row
    checked, before anything commits, and if a row failed the check the whole import would roll
    back, keys included. Nobody else can write rows without the check meanwhile, because dropping
    a key locks the tables it joins until the commit; that lock is also why only large imports do
    this. Readers of these tables wait for the import to finish; if other work keeps them busy
    longer than BULK_LOCK_TIMEOUT, ImportBusy is raised and nothing is written.
    """
    pairs = _bulk_checked_keys()
    tables = list(dict.fromkeys(table for pair in pairs for table in pair))
    cursor.execute("SELECT current_setting('lock_timeout')")
    (lock_timeout,) = cursor.fetchone()
    try:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [BULK_LOCK_TIMEOUT])
        cursor.execute(f"LOCK TABLE {', '.join(q(table) for table in tables)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
    except OperationalError as error:
        raise ImportBusy(
            "The patient and session tables stayed in use by other work for too long, so nothing was imported."
        ) from error
    keys = []
    for table, referenced in pairs:
        cursor.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE contype = 'f' AND conrelid = %s::regclass AND confrelid = %s::regclass""",
            [q(table), q(referenced)],
        )
        keys += [(table, name, definition) for name, definition in cursor.fetchall()]
    for table, name, _ in keys:
        cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    yield
    for table, name, definition in keys:
        # Adding a foreign key checks every row of the table against the referenced one, in one join.
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


def tune_for_staged_rows(cursor):
    """Give PostgreSQL what the set-based statements need to stay fast; return the work_mem to restore.

    Temporary tables have no statistics until analysed, so the planner guessed a few thousand
    staged rows and planned the joins for that. With the default work_mem (4 MB) the joins of a
    large file spill to disk in batches, and a batched hash join returns rows in hash order: the
    inserts then hit the indexes and the foreign-key checks at random pages, which made the
    million-row import several times slower per row than the 100,000-row one. The larger
    work_mem is for this transaction only and memory of the database server, not of this process.
    """
    cursor.execute("SELECT current_setting('work_mem')")
    (work_mem,) = cursor.fetchone()
    cursor.execute("SELECT set_config('work_mem', %s, true)", [IMPORT_WORK_MEM])
    cursor.execute(f"ANALYZE {q(ROWS_TABLE)}, {q(POINTS_TABLE)}")
    return work_mem


def analyze(cursor):
    """Refresh the planner's statistics: after a large import, old ones give the dashboard slow plans."""
    tables = [Patient._meta.db_table, TreatmentSession._meta.db_table, TreatmentSession.points.through._meta.db_table]
    cursor.execute(f"ANALYZE {', '.join(q(table) for table in tables)}")
