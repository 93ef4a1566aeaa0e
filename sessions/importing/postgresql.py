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
# PostgreSQL's maintenance_work_mem while a first import builds its indexes: sorts a million rows in memory.
INDEX_BUILD_MEMORY = "256MB"


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
    """Whether this database user owns the tables whose keys and indexes a bulk write drops and adds back.

    A deployment may run the app as a user that can read and write the tables but not alter them;
    its large imports check their keys row by row.
    """
    tables = list(dict.fromkeys([*(table for table, _ in _bulk_checked_keys()), *_first_import_tables()]))
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(%s::regclass[])",
        [[q(table) for table in tables]],
    )
    return bool(cursor.fetchone()[0])


# The tables a first import into an empty database fills without their indexes (see bulk_write).
def _first_import_tables():
    return [
        Patient._meta.db_table,
        Patient.audit_log.model._meta.db_table,
        TreatmentSession._meta.db_table,
        TreatmentSession.history.model._meta.db_table,
        TreatmentSession.points.through._meta.db_table,
    ]


@contextmanager
def bulk_write(cursor):
    """Write the rows of a large import inside the block with their checks done once, after them.

    Yields whether this is a first import: the tables it writes were all empty. The caller then
    writes with plain INSERTs (nothing can conflict with an empty table).

    Foreign keys. PostgreSQL checks a foreign key row by row, with a lookup and a row lock on the
    referenced row each time: for a million sessions and three million point links that is most of
    the import (about 40 of 80 seconds). Its manual's advice for loading data ("Populating a
    Database") is to drop the foreign keys, load, and add them again, which checks every row in one
    join.

    Indexes, on a first import only. The same manual advises building indexes after loading:
    a B-tree filled row by row costs about twice what one sorted build costs (the writes of a
    million-row file, measured by benchmarks/import_floor.py: 21.8 s with indexes, 10.6 s built
    after). So when the tables start empty, their indexes (all but the primary keys and those a
    foreign key relies on) are dropped and built again after the writes. A unique index checks
    every row when it is built, so nothing escapes its constraint; the file's own duplicates were
    already refused, with their line numbers, by the checks before any write.

    Everything happens inside the import's transaction: the keys and indexes are back, and every
    row checked, before anything commits, and if a row failed a check the whole import rolls back,
    keys and indexes included. Nobody else can write or read rows meanwhile, because the tables are
    locked until the commit; that lock is also why only large imports do this. If other work keeps
    the tables busy longer than BULK_LOCK_TIMEOUT, ImportBusy is raised and nothing is written.
    """
    pairs = _bulk_checked_keys()
    tables = list(dict.fromkeys([*(table for pair in pairs for table in pair), *_first_import_tables()]))
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
    first_import = _all_empty(cursor, _first_import_tables())
    indexes = _drop_indexes(cursor, _first_import_tables()) if first_import else []
    yield first_import
    if indexes:
        cursor.execute("SELECT current_setting('maintenance_work_mem')")
        (maintenance_work_mem,) = cursor.fetchone()
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [INDEX_BUILD_MEMORY])
        for table, constraint, definition in indexes:
            if constraint:
                cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(constraint)} {definition}")
            else:
                cursor.execute(definition)
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [maintenance_work_mem])
    for table, name, definition in keys:
        # Adding a foreign key checks every row of the table against the referenced one, in one join.
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


def _all_empty(cursor, tables):
    cursor.execute(f"SELECT {' AND '.join(f'NOT EXISTS (SELECT 1 FROM {q(table)})' for table in tables)}")
    return bool(cursor.fetchone()[0])


def _drop_indexes(cursor, tables):
    """Drop the indexes of `tables` a first import builds after its writes; return how to build them again.

    Returns (table, constraint name or None, definition): a unique constraint is added back as a
    constraint (its index comes with it), any other index by its CREATE INDEX statement. Primary
    keys stay (new ids only append to them), and so does any index a foreign key relies on.
    """
    cursor.execute(
        """SELECT table_.relname, constraint_.conname,
                  COALESCE(pg_get_constraintdef(constraint_.oid), pg_get_indexdef(idx.indexrelid)), index_.relname
           FROM pg_index idx
           JOIN pg_class table_ ON table_.oid = idx.indrelid
           JOIN pg_class index_ ON index_.oid = idx.indexrelid
           LEFT JOIN pg_constraint constraint_ ON constraint_.conindid = idx.indexrelid
                                             AND constraint_.conrelid = idx.indrelid AND constraint_.contype <> 'f'
           WHERE idx.indrelid = ANY(%s::regclass[]) AND NOT idx.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint fk WHERE fk.contype = 'f' AND fk.conindid = idx.indexrelid)
           ORDER BY table_.relname, index_.relname""",
        [[q(table) for table in tables]],
    )
    indexes = cursor.fetchall()
    for table, constraint, _, index in indexes:
        if constraint:
            cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(constraint)}")
        else:
            cursor.execute(f"DROP INDEX {q(index)}")
    return [(table, constraint, definition) for table, constraint, definition, _ in indexes]


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
