"""The temporary staging tables, and pass 1: streaming the file into them, checking each row."""

# The SQL below is assembled from table and column names taken from the models and from this
# package's constants, quoted with quote_name; every value travels as a query parameter.
# ruff: noqa: S608

import csv

from django.db import connection

from sessions.importing.reading import STAGING_COLUMNS, RowParsers, decoded_lines, read_header, row_cleaner

BATCH_SIZE = 5000

ROWS_TABLE = "acuflow_import_rows"
POINTS_TABLE = "acuflow_import_points"


def q(name):
    return connection.ops.quote_name(name)


def staging_create(cursor):
    columns = []
    for name, field in STAGING_COLUMNS:
        db_type = "integer" if field is None else field.db_type(connection) or field.rel_db_type(connection)
        if name == "line":
            db_type += " PRIMARY KEY"
        columns.append(f"{q(name)} {db_type}")
    temporary = "CREATE TEMPORARY TABLE"
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    for table in (ROWS_TABLE, POINTS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {q(table)}")
    cursor.execute(f"{temporary} {q(ROWS_TABLE)} ({', '.join(columns)}){on_commit}")
    cursor.execute(f"{temporary} {q(POINTS_TABLE)} (line integer, acupoint_id bigint){on_commit}")


def staging_drop(cursor):
    for table in (ROWS_TABLE, POINTS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {q(table)}")


def _staging_write(cursor, rows, points):
    """Append cleaned rows and (line, acupoint id) pairs to the staging tables."""
    if connection.vendor == "postgresql":
        names = ", ".join(q(name) for name, _ in STAGING_COLUMNS)
        with cursor.cursor.copy(f"COPY {q(ROWS_TABLE)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.cursor.copy(f"COPY {q(POINTS_TABLE)} (line, acupoint_id) FROM STDIN") as copy:
            for pair in points:
                copy.write_row(pair)
        return
    prepared = [
        tuple(
            value if field is None else field.get_db_prep_save(value, connection)
            for value, (_, field) in zip(row, STAGING_COLUMNS, strict=True)
        )
        for row in rows
    ]
    placeholders = ", ".join(["%s"] * len(STAGING_COLUMNS))
    cursor.executemany(f"INSERT INTO {q(ROWS_TABLE)} VALUES ({placeholders})", prepared)
    cursor.executemany(f"INSERT INTO {q(POINTS_TABLE)} VALUES (%s, %s)", points)


def stage_file(cursor, binary, problems, progress):
    """Read the whole file into the staging tables; return (header, number of rows, names refused).

    The names refused are (patient_ref, column) pairs, as `row_cleaner` explains.
    """
    reader = csv.reader(decoded_lines(binary, problems, progress))
    names_refused = set()
    try:
        header = read_header(reader, problems)
        if header is None:
            return None, 0, names_refused
        clean = row_cleaner(header, RowParsers(), problems, names_refused)
        rows, points, count, previous_end = [], [], 0, reader.line_num
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if len(cells) != len(header):
                problems.append((line, "file", f"has {len(cells)} fields but the header has {len(header)}"))
                continue
            cleaned = clean(cells, line)
            if cleaned:
                rows.append(cleaned[0])
                points.extend(cleaned[1])
            if len(rows) >= BATCH_SIZE:
                _staging_write(cursor, rows, points)
                rows, points = [], []
        _staging_write(cursor, rows, points)
    except csv.Error as error:
        problems.append((reader.line_num, "file", f"is not a readable CSV file ({error})"))
        return None, 0, names_refused
    if count == 0 and not problems:
        problems.append((2, "file", "the file has a header but no rows"))
    return header, count, names_refused
