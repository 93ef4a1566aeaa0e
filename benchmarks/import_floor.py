"""How fast could any import of this file be? Time just the writes it must make (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/acuflow_bench \\
        python benchmarks/import_floor.py /tmp/sessions-1m.csv

Run it on the database after `import_vs_copy.py` has imported the file. It copies the rows the
import wrote (patients, sessions, session–acupoint links and the history rows of both) into empty
tables with the same columns, indexes and check constraints, but no foreign keys, straight from
the tables already in the database, in the order of their keys: no reading or checking of the
CSV, no joins to find ids, no key checks. That is a lower bound for an import that writes the
rows DESIGN.md's model and the audit rule ask for, and it is compared with COPY of the same file
into a plain table. Everything runs in one transaction that is rolled back.
"""

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
    path = Path(sys.argv[1])
    url = os.environ["DATABASE_URL"]
    copy_seconds, file_rows = time_copy(path, url)
    print(f"COPY of the file into a plain table: {file_rows:,} rows in {copy_seconds:.2f} s")
    total = 0.0
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table, key in TABLES:
            # Table names from TABLES above only.
            cursor.execute(f"CREATE TEMPORARY TABLE saved AS SELECT * FROM {table} ORDER BY {key}")  # noqa: S608
            cursor.execute(f"CREATE TABLE floor_copy (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            cursor.execute("INSERT INTO floor_copy SELECT * FROM saved")
            elapsed = time.perf_counter() - started
            total += elapsed
            print(f"  {table}: {cursor.rowcount:,} rows in {elapsed:.2f} s")
            cursor.execute("DROP TABLE floor_copy, saved")
        connection.rollback()
    print(f"Writes alone: {total:.2f} s = {total / copy_seconds:.1f}× COPY (the goal is 10×)")


if __name__ == "__main__":
    main()
