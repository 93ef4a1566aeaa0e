"""Time `import_sessions` against PostgreSQL's own COPY of the same file into a plain table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/acuflow_bench \\
        python benchmarks/import_vs_copy.py /tmp/sessions-1m.csv

The database must be migrated. The import runs as a user would run it (a fresh
`manage.py import_sessions` process, so Django's start-up is included); COPY streams the same
file into an unindexed table with one typed column per CSV column, then the table is dropped.
Run it twice to see the second, idempotent import (every row an update).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PLAIN_TABLE = """
    CREATE TABLE bench_copy_sessions (
        patient_ref varchar(32), condition varchar(100), session_number integer, session_date date,
        first_name varchar(100), last_name varchar(100), date_of_birth date, sex varchar(12),
        research_consent varchar(5), points text, needle_gauge_mm numeric(3, 2), retention_minutes smallint,
        spo2_pre smallint, spo2_post smallint, pulse_pre smallint, pulse_post smallint,
        warmth_change varchar(12), clarity_change varchar(12), notes text
    )
"""


def time_import(path):
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own manage.py with a path given on the command line
        [sys.executable, str(ROOT / "manage.py"), "import_sessions", str(path)],
        check=True,
        env={**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only")},
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def time_copy(path, url):
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_sessions")
        cursor.execute(PLAIN_TABLE)
        connection.commit()
        started = time.perf_counter()
        with (
            open(path, "rb") as source,
            cursor.copy("COPY bench_copy_sessions FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        connection.commit()
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT COUNT(*) FROM bench_copy_sessions")
        (rows,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_copy_sessions")
        connection.commit()
    return elapsed, rows


def main():
    path = Path(sys.argv[1])
    url = os.environ["DATABASE_URL"]
    copy_seconds, rows = time_copy(path, url)
    print(f"COPY into a plain table: {rows:,} rows in {copy_seconds:.1f} s")
    import_seconds = time_import(path)
    print(
        f"import_sessions:         {rows:,} rows in {import_seconds:.1f} s ({import_seconds / copy_seconds:.1f}× COPY)"
    )


if __name__ == "__main__":
    main()
