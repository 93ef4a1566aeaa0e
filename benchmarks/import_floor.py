"""How fast could any import of this file be? Time just the writes it must make (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/acuflow_bench \\
        python benchmarks/import_floor.py /tmp/sessions-1m.csv

Run it on the database after `import_vs_copy.py` has imported the file. It copies the rows the
import wrote (patients, sessions, session–acupoint links and the history rows of both) into empty
tables with the same columns, indexes and check constraints, but no foreign keys, straight from
the tables already in the database, in the order of their keys: no reading or checking of the
CSV, no joins to find ids, no key checks. That is a lower bound for an import that writes the
rows docs/design.md's model and the audit rule ask for, and it is compared with COPY of the same file
into a plain table. Everything runs in one transaction that is rolled back.

With --indexes-after, each table is filled without its indexes, which are then built in one
pass each: faster, but only possible when the tables start empty (a first import into a new
database) and with every reader locked out meanwhile.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_vs_copy import time_copy  # noqa: E402

TABLES = [
    # (table the import writes, order of its key)
    ("patients_patient", "id"),
    ("patients_historicalpatient", "history_id"),
    ("treatment_sessions_treatmentsession", "patient_id, number"),
    ("treatment_sessions_historicaltreatmentsession", "history_id"),
    ("treatment_sessions_treatmentsession_points", "treatmentsession_id, acupoint_id"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--indexes-after", action="store_true", help="build each table's indexes after filling it")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    copy_seconds, file_rows = time_copy(Path(args.file), url)
    print(f"COPY of the file into a plain table: {file_rows:,} rows in {copy_seconds:.2f} s")
    total = 0.0
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for table, key in TABLES:
            # Table names from TABLES above only.
            cursor.execute(f"CREATE TEMPORARY TABLE saved AS SELECT * FROM {table} ORDER BY {key}")  # noqa: S608
            if args.indexes_after:
                like = f"LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY"
                cursor.execute(f"CREATE TABLE floor_copy ({like})")
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
                indexes = [
                    definition.replace(f" {name} ON public.{table} ", f" floor_{name} ON floor_copy ")
                    for name, definition in cursor.fetchall()
                ]
            else:
                cursor.execute(f"CREATE TABLE floor_copy (LIKE {table} INCLUDING ALL)")
                indexes = []
            started = time.perf_counter()
            cursor.execute("INSERT INTO floor_copy SELECT * FROM saved")
            rows = cursor.rowcount
            for definition in indexes:
                cursor.execute(definition)
            elapsed = time.perf_counter() - started
            total += elapsed
            built = f" (and {len(indexes)} indexes built after)" if indexes else ""
            print(f"  {table}: {rows:,} rows in {elapsed:.2f} s{built}")
            cursor.execute("DROP TABLE floor_copy, saved")
        connection.rollback()
    print(f"Writes alone: {total:.2f} s = {total / copy_seconds:.1f}× COPY (the goal is 10×)")


if __name__ == "__main__":
    main()
