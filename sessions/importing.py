"""Historical import of treatment sessions from CSV (DESIGN.md, "Historical import (CSV)").

`sessions_import` reads the file once, as a stream: each row is checked and its cleaned values
go into a temporary staging table in batches, so memory stays flat however long the file is.
The checks that span rows (the same session twice, a new patient without names, a patient
whose details differ between rows, a session before the patient's date of birth) are then
queries on the staging table, and the writes are a handful of set-based statements
(INSERT … SELECT … ON CONFLICT) in the same transaction.
Nothing is written unless every row is right.
"""

# The SQL below is assembled from table and column names taken from the models and from this
# module's constants, quoted with quote_name; every value travels as a query parameter.
# ruff: noqa: S608

import codecs
import csv
import datetime as dt
import functools
import getpass
import logging
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from patients.models import OLDEST_AGE, PATIENT_REF_PATTERN, Condition, Patient, date_of_birth_problem
from patients.validators import ControlCharacterValidator
from sessions.acupoints import parse_point_codes
from sessions.models import (
    EARLIEST_SESSION,
    EARLIEST_SESSION_MESSAGE,
    NEEDLE_GAUGE_RANGE,
    PULSE_RANGE,
    RETENTION_RANGE,
    SPO2_RANGE,
    Acupoint,
    Change,
    TreatmentSession,
)

logger = logging.getLogger(__name__)

PATIENT_REF_RE = re.compile(PATIENT_REF_PATTERN)
REQUIRED_COLUMNS = ("patient_ref", "condition", "session_number", "session_date")
NEW_PATIENT_COLUMNS = ("first_name", "last_name")
OPTIONAL_COLUMNS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "research_consent",
    "practitioner",
    "points",
    "needle_gauge_mm",
    "retention_minutes",
    "spo2_pre",
    "spo2_post",
    "pulse_pre",
    "pulse_post",
    "warmth_change",
    "clarity_change",
    "notes",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Columns that describe the patient rather than the session: every row of a patient must agree.
PATIENT_DETAIL_COLUMNS = ("condition", "first_name", "last_name", "date_of_birth", "sex", "research_consent")
# Optional columns stored on the session (points go to their own table).
SESSION_COLUMNS = tuple(name for name in OPTIONAL_COLUMNS if name not in PATIENT_DETAIL_COLUMNS and name != "points")

CONSENT_WORDS = {"yes": 1, "true": 1, "1": 1, "no": 0, "false": 0, "0": 0}
# The -2…2 scale some clinics' spreadsheets use for reported change.
CHANGE_SCORES = {
    "-2": "much_worse",
    "-1": "worse",
    "0": "same",
    "1": "better",
    "+1": "better",
    "2": "much_better",
    "+2": "much_better",
}
BATCH_SIZE = 5000
# On PostgreSQL, an import at least this long refreshes the planner statistics of the tables it wrote.
ANALYZE_FROM_ROWS = 10_000
# PostgreSQL's work_mem while an import runs: enough to join and sort a million staged rows in memory.
IMPORT_WORK_MEM = "128MB"
# On PostgreSQL, an import at least this long checks the foreign keys of the rows it writes in one
# pass after the writes rather than row by row, holding the tables it writes for its duration.
BULK_CHECK_FROM_ROWS = 100_000
# How long a bulk-checked import waits for the tables it writes before giving up.
BULK_LOCK_TIMEOUT = "15s"

ROWS_TABLE = "acuflow_import_rows"
POINTS_TABLE = "acuflow_import_points"


class ImportRejected(Exception):
    """The file cannot be imported; `problems` are `line N: column: message` strings."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = problems


class ImportBusy(Exception):
    """The tables a large import writes stayed in use; nothing was written and the file can be sent again."""


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


# ---------------------------------------------------------------------------------------------
# Reading one value. Each parser returns the cleaned value or raises ValueError(message).


def _whole_number(text, low, high):
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"{number} is outside {low}–{high}")
    return number


def _needle_gauge(text):
    try:
        gauge = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a number") from None
    low, high = NEEDLE_GAUGE_RANGE
    if not gauge.is_finite() or not low <= gauge <= high:
        raise ValueError(f"{text} mm is outside {low}–{high} mm")
    if gauge != gauge.quantize(Decimal("0.01")):
        raise ValueError(f"{text} has more than 2 decimals")
    return gauge


def _text(limit=None, *, allow_line_breaks=False):
    """Return a parser for free text: at most `limit` characters, no control characters, as on the intake form."""
    refuse_control_characters = ControlCharacterValidator(allow_line_breaks=allow_line_breaks)

    def parse(text):
        if limit is not None and len(text) > limit:
            raise ValueError(f"is longer than {limit} characters")
        try:
            refuse_control_characters(text)
        except ValidationError:
            raise ValueError("contains invisible control characters (often from copying and pasting)") from None
        return text

    return parse


def _lookup(table, message):
    """Return a parser reading `text` through `table` (case-insensitive), else ValueError(message)."""

    def parse(text):
        try:
            return table[text]
        except KeyError:
            pass
        try:
            return table[text.lower()]
        except KeyError:
            raise ValueError(message.format(text=text)) from None

    return parse


_CHANGES = {**{value: value for value in Change.values}, **CHANGE_SCORES}
_CHANGES.update({value.replace("_", " "): value for value in Change.values})
_change = _lookup(_CHANGES, f"'{{text}}' is not one of {', '.join(Change.values)} or -2…2")
_consent = _lookup(CONSENT_WORDS, "'{text}' is not yes/no, true/false or 1/0")


class _RowParsers:
    """The parsers of one import: reference data loaded once, repeated values parsed once."""

    def __init__(self):
        conditions = {}
        for pk, name, slug in Condition.objects.values_list("pk", "name", "slug"):
            conditions[name.lower()] = conditions[slug.lower()] = pk
        sexes = {}
        for value, label in Patient.Sex.choices:
            sexes[value] = sexes[label.lower()] = value
        self.points = dict(Acupoint.objects.values_list("code", "pk"))
        self.users = {}
        self.tz = timezone.get_default_timezone()
        # Anything after now is refused, as by the workspace's session form. No allowance for clock
        # skew: the file holds past sessions, not times read from another clock moments ago.
        self.latest = timezone.now()
        self.today = timezone.localdate()
        cached = functools.lru_cache(maxsize=8192)
        self.by_column = {
            "condition": _lookup(conditions, "unknown condition '{text}' (use a condition's name or slug)"),
            "session_date": cached(self.started_at),
            "first_name": _text(100),
            "last_name": _text(100),
            "date_of_birth": cached(self.date_of_birth),
            "sex": _lookup(sexes, f"'{{text}}' is not one of {', '.join(Patient.Sex.values)}"),
            "research_consent": _consent,
            "practitioner": self.practitioner,
            "needle_gauge_mm": cached(_needle_gauge),
            "retention_minutes": cached(lambda text: _whole_number(text, *RETENTION_RANGE)),
            "spo2_pre": cached(lambda text: _whole_number(text, *SPO2_RANGE)),
            "spo2_post": cached(lambda text: _whole_number(text, *SPO2_RANGE)),
            "pulse_pre": cached(lambda text: _whole_number(text, *PULSE_RANGE)),
            "pulse_post": cached(lambda text: _whole_number(text, *PULSE_RANGE)),
            "warmth_change": _change,
            "clarity_change": _change,
            "notes": _text(allow_line_breaks=True),
        }
        self.point_ids = cached(self._point_ids)

    def started_at(self, text):
        """Read YYYY-MM-DD (that day, at midnight) or an ISO date-time; naive values are clinic-local."""
        try:
            if len(text) == 10:
                moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.min)
            else:
                moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a real date (YYYY-MM-DD) or ISO date-time") from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, self.tz)
        if moment > self.latest:
            raise ValueError(f"{text} is in the future")
        if moment < EARLIEST_SESSION:
            raise ValueError(f"{text} {EARLIEST_SESSION_MESSAGE}")
        return moment

    def date_of_birth(self, text):
        try:
            born = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a real date (YYYY-MM-DD)") from None
        problem = date_of_birth_problem(born, self.today)
        if problem == "future":
            raise ValueError(f"{text} is not in the past")
        if problem == "too_old":
            raise ValueError(f"{text} would make the patient over {OLDEST_AGE}: check the year")
        return born

    def practitioner(self, text):
        if text not in self.users:
            self.users[text] = (
                get_user_model()
                .objects.filter(username=text, groups__name="Practitioners")
                .values_list("pk", flat=True)
                .first()
            )
        if self.users[text] is None:
            raise ValueError(f"no practitioner with the username '{text}'")
        return self.users[text]

    def _point_ids(self, text):
        try:
            return tuple(self.points[code] for code in parse_point_codes(text))
        except ValidationError as error:
            raise ValueError(error.messages[0].rstrip(".")) from None


# ---------------------------------------------------------------------------------------------
# The staging table: one row per valid-enough file row, columns in this order.

STAGING_COLUMNS = (
    # (staging column, model field it is typed like)
    ("line", None),
    ("patient_ref", Patient._meta.get_field("patient_ref")),
    ("condition_id", Patient._meta.get_field("condition")),
    ("number", TreatmentSession._meta.get_field("number")),
    ("started_at", TreatmentSession._meta.get_field("started_at")),
    ("first_name", Patient._meta.get_field("first_name")),
    ("last_name", Patient._meta.get_field("last_name")),
    ("date_of_birth", Patient._meta.get_field("date_of_birth")),
    ("sex", Patient._meta.get_field("sex")),
    ("research_consent", None),  # 1/0, so that MAX() works on every database
    ("practitioner_id", TreatmentSession._meta.get_field("practitioner")),
    ("needle_gauge_mm", TreatmentSession._meta.get_field("needle_gauge_mm")),
    ("retention_minutes", TreatmentSession._meta.get_field("retention_minutes")),
    ("spo2_pre", TreatmentSession._meta.get_field("spo2_pre")),
    ("spo2_post", TreatmentSession._meta.get_field("spo2_post")),
    ("pulse_pre", TreatmentSession._meta.get_field("pulse_pre")),
    ("pulse_post", TreatmentSession._meta.get_field("pulse_post")),
    ("warmth_change", TreatmentSession._meta.get_field("warmth_change")),
    ("clarity_change", TreatmentSession._meta.get_field("clarity_change")),
    ("notes", TreatmentSession._meta.get_field("notes")),
)
# File column -> staging column, for the columns read by _RowParsers.by_column.
_STAGING_COLUMN = {
    "condition": "condition_id",
    "session_date": "started_at",
    "practitioner": "practitioner_id",
    **{name: name for name in OPTIONAL_COLUMNS if name not in ("practitioner", "points")},
}
# Staging columns that are text in the model: an empty cell is stored as '' rather than NULL.
_BLANK_TEXT = {"warmth_change", "clarity_change", "notes"}


def _q(name):
    return connection.ops.quote_name(name)


def _staging_create(cursor):
    columns = []
    for name, field in STAGING_COLUMNS:
        db_type = "integer" if field is None else field.db_type(connection) or field.rel_db_type(connection)
        if name == "line":
            db_type += " PRIMARY KEY"
        columns.append(f"{_q(name)} {db_type}")
    temporary = "CREATE TEMPORARY TABLE"
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    for table in (ROWS_TABLE, POINTS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {_q(table)}")
    cursor.execute(f"{temporary} {_q(ROWS_TABLE)} ({', '.join(columns)}){on_commit}")
    cursor.execute(f"{temporary} {_q(POINTS_TABLE)} (line integer, acupoint_id bigint){on_commit}")


def _staging_drop(cursor):
    for table in (ROWS_TABLE, POINTS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {_q(table)}")


def _staging_write(cursor, rows, points):
    """Append cleaned rows and (line, acupoint id) pairs to the staging tables."""
    if connection.vendor == "postgresql":
        names = ", ".join(_q(name) for name, _ in STAGING_COLUMNS)
        with cursor.cursor.copy(f"COPY {_q(ROWS_TABLE)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.cursor.copy(f"COPY {_q(POINTS_TABLE)} (line, acupoint_id) FROM STDIN") as copy:
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
    cursor.executemany(f"INSERT INTO {_q(ROWS_TABLE)} VALUES ({placeholders})", prepared)
    cursor.executemany(f"INSERT INTO {_q(POINTS_TABLE)} VALUES (%s, %s)", points)


# ---------------------------------------------------------------------------------------------
# Pass 1: stream the file into the staging table, checking each row.


def _decoded_lines(binary, problems, progress):
    """Yield the file's lines as text; on bytes that are not UTF-8, note the problem and stop."""
    for number, raw in enumerate(binary, start=1):
        if progress:
            progress.advance(len(raw))
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append((number, "file", "is not UTF-8 text: save the spreadsheet as “CSV UTF-8” and try again"))
            return


def _read_header(reader, problems):
    """Return the file's column names, or None when the header makes the file unreadable."""
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        problems.append((1, "file", "the file is empty: expected a header row"))
        return None
    names = [cell.strip().lower() for cell in header]
    seen = set()
    for name in names:
        if name not in COLUMNS:
            problems.append((1, name or "(blank)", f"unknown column (expected: {', '.join(COLUMNS)})"))
        elif name in seen:
            problems.append((1, name, "the column appears more than once"))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in names:
            problems.append((1, name, "required column is missing"))
    return None if problems else names


def _row_cleaner(header, parsers, problems, names_refused):
    """Return clean(cells, line) -> (staging row, [(line, acupoint id)]) or None when the row is unusable.

    Problems found are appended to `problems` as (line, column, message). A name given but refused
    is added to `names_refused` as (patient_ref, column): its problem already says what is wrong,
    so the patient is not also told the name is missing.
    """
    positions = {name: index for index, (name, _) in enumerate(STAGING_COLUMNS)}
    template = [None] * len(STAGING_COLUMNS)
    for column in _BLANK_TEXT:
        template[positions[column]] = ""
    plan = [
        (index, name, positions[_STAGING_COLUMN[name]], parsers.by_column[name])
        for index, name in enumerate(header)
        if name in _STAGING_COLUMN
    ]
    ref_at, number_at = header.index("patient_ref"), header.index("session_number")
    points_at = header.index("points") if "points" in header else None
    line_at, ref_to, number_to = positions["line"], positions["patient_ref"], positions["number"]

    def clean(cells, line):
        values = template.copy()
        values[line_at] = line
        usable = True
        ref = cells[ref_at].strip()
        if not ref or len(ref) > 32:
            problems.append((line, "patient_ref", "is required" if not ref else "is longer than 32 characters"))
            usable = False
        elif not PATIENT_REF_RE.match(ref):
            # References go into the workspace's URLs.
            problems.append((line, "patient_ref", "may hold only letters, digits and hyphens"))
            usable = False
        values[ref_to] = ref
        number = cells[number_at].strip()
        try:
            values[number_to] = _whole_number(number, 1, 10_000)
        except ValueError as error:
            message = "is required" if not number else f"{error}; session numbers start at 1"
            problems.append((line, "session_number", message))
            usable = False
        for index, name, position, parse in plan:
            text = cells[index].strip()
            if not text:
                if name in ("condition", "session_date"):
                    problems.append((line, name, "is required"))
                continue
            try:
                values[position] = parse(text)
            except ValueError as error:
                problems.append((line, name, str(error)))
                if name in NEW_PATIENT_COLUMNS:
                    names_refused.add((ref, name))
        point_ids = ()
        if points_at is not None:
            try:
                point_ids = parsers.point_ids(cells[points_at].strip())
            except ValueError as error:
                problems.append((line, "points", str(error)))
        return (tuple(values), [(line, pk) for pk in point_ids]) if usable else None

    return clean


def _stage_file(cursor, binary, problems, progress):
    """Read the whole file into the staging tables; return (header, number of rows, names refused).

    The names refused are (patient_ref, column) pairs, as `_row_cleaner` explains.
    """
    reader = csv.reader(_decoded_lines(binary, problems, progress))
    names_refused = set()
    try:
        header = _read_header(reader, problems)
        if header is None:
            return None, 0, names_refused
        clean = _row_cleaner(header, _RowParsers(), problems, names_refused)
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


# ---------------------------------------------------------------------------------------------
# Pass 2: checks across rows, as queries on the staging table.


def _cross_row_problems(cursor, header, names_refused):
    problems = []
    rows, patients = _q(ROWS_TABLE), _q(Patient._meta.db_table)
    cursor.execute(f"CREATE INDEX {_q(ROWS_TABLE + '_key')} ON {rows} (patient_ref, number)")
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
    any_differs = " OR ".join(f"COUNT(DISTINCT {_q(column)}) > 1" for _, column in detail_columns)
    cursor.execute(f"SELECT patient_ref FROM {rows} GROUP BY patient_ref HAVING {any_differs} LIMIT 1")
    if cursor.fetchone() is None:
        return problems
    for name, column in detail_columns:
        cursor.execute(
            f"""SELECT staged.line, staged.patient_ref, first.line
                FROM {rows} staged
                JOIN (SELECT patient_ref, MIN(line) AS line FROM {rows} WHERE {_q(column)} IS NOT NULL
                      GROUP BY patient_ref) first_line ON first_line.patient_ref = staged.patient_ref
                JOIN {rows} first ON first.line = first_line.line
                WHERE staged.{_q(column)} IS NOT NULL AND staged.{_q(column)} <> first.{_q(column)}"""
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
    rows, patients = _q(ROWS_TABLE), _q(Patient._meta.db_table)
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


def _summary(cursor, rows_count, dry_run):
    rows, patients, sessions = _q(ROWS_TABLE), _q(Patient._meta.db_table), _q(TreatmentSession._meta.db_table)
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


# ---------------------------------------------------------------------------------------------
# Pass 3: the writes, set-based.


def _defaults(model, given, now):
    """Return {column: value} for the model's columns not in `given`: their defaults, prepared."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        values[field.column] = field.get_db_prep_save(value, connection)
    return values


def _insert_new_patients(cursor, now):
    rows, patients = _q(ROWS_TABLE), _q(Patient._meta.db_table)
    given = {
        "patient_ref": "staged.patient_ref",
        "first_name": "MAX(staged.first_name)",
        "last_name": "MAX(staged.last_name)",
        "date_of_birth": "MAX(staged.date_of_birth)",
        "sex": "COALESCE(MAX(staged.sex), '')",
        "condition_id": "MAX(staged.condition_id)",
        "status": "%s",
        "research_consent": "CASE WHEN MAX(staged.research_consent) = 1 THEN %s ELSE %s END",
        "research_consent_at": "CASE WHEN MAX(staged.research_consent) = 1 THEN %s END",
    }
    given_params = [Patient.Status.ACTIVE, True, False, connection.ops.adapt_datetimefield_value(now)]
    defaults = _defaults(Patient, given, now)
    columns = [*given, *defaults]
    cursor.execute(
        f"""INSERT INTO {patients} ({", ".join(_q(column) for column in columns)})
            SELECT {", ".join([*given.values(), *["%s"] * len(defaults)])}
            FROM {rows} staged LEFT JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            WHERE patient.id IS NULL
            GROUP BY staged.patient_ref""",
        [*given_params, *defaults.values()],
    )


def _update_existing_patients(cursor, now):
    """Fill in the details the file gives for patients already in the database; mark them active."""
    rows, patients = _q(ROWS_TABLE), _q(Patient._meta.db_table)
    now_value = connection.ops.adapt_datetimefield_value(now)
    changed = " OR ".join(
        f"(given.{column} IS NOT NULL AND (patient.{column} IS NULL OR given.{column} <> patient.{column}))"
        for column in ("first_name", "last_name", "date_of_birth", "sex", "condition_id")
    )
    cursor.execute(
        f"""UPDATE {patients} AS patient SET
                first_name = COALESCE(given.first_name, patient.first_name),
                last_name = COALESCE(given.last_name, patient.last_name),
                date_of_birth = COALESCE(given.date_of_birth, patient.date_of_birth),
                sex = COALESCE(given.sex, patient.sex),
                condition_id = COALESCE(given.condition_id, patient.condition_id),
                research_consent = CASE WHEN given.research_consent IS NULL THEN patient.research_consent
                                        ELSE given.research_consent = 1 END,
                research_consent_at = CASE
                    WHEN given.research_consent = 0 THEN NULL
                    WHEN given.research_consent = 1 AND NOT patient.research_consent THEN %s
                    ELSE patient.research_consent_at END,
                status = CASE WHEN patient.status = %s THEN %s ELSE patient.status END,
                updated_at = %s
            FROM (SELECT patient_ref, MAX(first_name) AS first_name, MAX(last_name) AS last_name,
                         MAX(date_of_birth) AS date_of_birth, MAX(sex) AS sex, MAX(condition_id) AS condition_id,
                         MAX(research_consent) AS research_consent
                  FROM {rows} GROUP BY patient_ref) given
            WHERE patient.patient_ref = given.patient_ref
              AND ({changed} OR patient.status = %s
                   OR (given.research_consent IS NOT NULL
                       AND (given.research_consent = 1) <> patient.research_consent))""",
        [
            now_value,
            Patient.Status.NEW,
            Patient.Status.ACTIVE,
            now_value,
            Patient.Status.NEW,
        ],
    )


def _upsert_sessions(cursor, header, now):
    rows, patients, sessions = _q(ROWS_TABLE), _q(Patient._meta.db_table), _q(TreatmentSession._meta.db_table)
    from_file = ["started_at"] + [_STAGING_COLUMN[name] for name in SESSION_COLUMNS if name in header]
    given = {"patient_id": "patient.id", "number": "staged.number"}
    given.update({column: f"staged.{_q(column)}" for column in from_file})
    defaults = _defaults(TreatmentSession, given, now)
    columns = [*given, *defaults]
    updates = [*from_file, "updated_at"]
    # A session the file does not change is left alone, so a second import rewrites nothing.
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"{sessions}.{_q(column)} {differs} excluded.{_q(column)}" for column in from_file)
    cursor.execute(
        f"""INSERT INTO {sessions} ({", ".join(_q(column) for column in columns)})
            SELECT {", ".join([*given.values(), *["%s"] * len(defaults)])}
            FROM {rows} staged JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            -- In the order of the (patient, number) key: new ids and keys go at the end of their indexes.
            ORDER BY patient.id, staged.number
            ON CONFLICT (patient_id, number) DO UPDATE SET
                {", ".join(f"{_q(column)} = excluded.{_q(column)}" for column in updates)}
            WHERE {changed}""",
        list(defaults.values()),
    )


def _replace_points(cursor):
    """Make each imported session's points those of its row, touching only the links that differ.

    A link the file keeps is left as it is, so a second import of the same file writes no links at
    all; on a first import every link is new and goes in with a plain INSERT. Deleting and
    re-inserting every link instead cost as much as the whole first import (about 3 links a row,
    each with four index entries and two foreign-key checks).
    """
    rows, points = _q(ROWS_TABLE), _q(POINTS_TABLE)
    patients, sessions = _q(Patient._meta.db_table), _q(TreatmentSession._meta.db_table)
    links = _q(TreatmentSession.points.through._meta.db_table)
    cursor.execute(
        f"""DELETE FROM {links} WHERE id IN (
                SELECT link.id FROM {links} link
                JOIN {sessions} session ON session.id = link.treatmentsession_id
                JOIN {patients} patient ON patient.id = session.patient_id
                JOIN {rows} staged ON staged.patient_ref = patient.patient_ref AND staged.number = session.number
                LEFT JOIN {points} point ON point.line = staged.line AND point.acupoint_id = link.acupoint_id
                WHERE point.line IS NULL)"""
    )
    # In the order of the (session, acupoint) unique index, so that its B-tree, the session index
    # and the foreign-key checks on the sessions work on neighbouring pages rather than at random.
    cursor.execute(
        f"""INSERT INTO {links} (treatmentsession_id, acupoint_id)
            SELECT session.id, point.acupoint_id FROM {points} point
            JOIN {rows} staged ON staged.line = point.line
            JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            JOIN {sessions} session ON session.patient_id = patient.id AND session.number = staged.number
            WHERE NOT EXISTS (
                SELECT 1 FROM {links} link
                WHERE link.treatmentsession_id = session.id AND link.acupoint_id = point.acupoint_id)
            ORDER BY session.id, point.acupoint_id"""
    )


# ---------------------------------------------------------------------------------------------


def _record_history(cursor, model, history_model, now, imported_by):
    """Add a history row for every `model` row this import wrote, so imported changes are attributable.

    The import's writes all set `updated_at` to `now`; rows the file left as they were are not
    touched and get no history row. (Point links of imported sessions get no history rows.)
    """
    table, history = _q(model._meta.db_table), _q(history_model._meta.db_table)
    own_columns = {field.column for field in model._meta.concrete_fields}
    copied = [
        field.column
        for field in history_model._meta.concrete_fields
        if not field.primary_key and field.column in own_columns
    ]
    now_value = connection.ops.adapt_datetimefield_value(now)
    who = getattr(imported_by, "username", None) or f"command line ({getpass.getuser()})"
    cursor.execute(
        f"""INSERT INTO {history} ({", ".join(_q(column) for column in copied)},
                history_date, history_change_reason, history_type, history_user_id)
            SELECT {", ".join(f"row.{_q(column)}" for column in copied)},
                %s, %s, CASE WHEN row.created_at = %s THEN '+' ELSE '~' END, %s
            FROM {table} row WHERE row.updated_at = %s""",  # noqa: S608 - names from the models only
        [now_value, f"CSV import by {who}"[:100], now_value, getattr(imported_by, "pk", None), now_value],
    )


def sessions_import(*, source, dry_run=False, imported_by=None, progress=None):
    """Import the CSV in the binary file `source`; return an ImportSummary.

    All or nothing: raise ImportRejected, writing nothing, listing every problem as
    `line N: column: message` (the header is line 1). A row updates the session with the same
    patient_ref and session number, so importing a file twice changes nothing the second time.
    Columns left out of the file leave those fields of existing sessions as they are.
    With `dry_run`, check and count, write nothing. `progress` (clinic.progress.Progress) is
    advanced by the bytes read. `imported_by` (a user) is recorded in the log and, with the time,
    in a history row of every patient and session the import created or changed.
    """
    problems = []
    with transaction.atomic(), connection.cursor() as cursor:
        _staging_create(cursor)
        header, rows_count, names_refused = _stage_file(cursor, source, problems, progress)
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            work_mem = _tune_for_staged_rows(cursor)
        if header is not None:
            problems += _cross_row_problems(cursor, header, names_refused)
        if problems:
            raise ImportRejected(_format(problems))
        summary = _summary(cursor, rows_count, dry_run)
        if not dry_run:
            now = timezone.now()
            if postgresql:
                # Django's foreign keys are checked at commit by default. Checking them at the end of
                # each statement instead is the same check, but PostgreSQL does it about twice as
                # fast as working through millions of queued events at commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            bulk_checked = postgresql and rows_count >= BULK_CHECK_FROM_ROWS and _may_alter_keys(cursor)
            with _foreign_keys_checked_in_bulk(cursor) if bulk_checked else nullcontext():
                _update_existing_patients(cursor, now)
                _insert_new_patients(cursor, now)
                _upsert_sessions(cursor, header, now)
                if "points" in header:
                    _replace_points(cursor)
            _record_history(cursor, Patient, Patient.audit_log.model, now, imported_by)
            _record_history(cursor, TreatmentSession, TreatmentSession.history.model, now, imported_by)
            if postgresql:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for this transaction
            if postgresql and rows_count >= ANALYZE_FROM_ROWS:
                _analyze(cursor)
            logger.info(
                "Sessions imported by %s: %s",
                getattr(imported_by, "username", None) or f"command line ({getpass.getuser()})",
                summary,
            )
        if postgresql:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])  # for the rest of the transaction
        _staging_drop(cursor)
    return summary


# The foreign keys a large import checks in bulk: (table, referenced table) of the rows it writes.
def _bulk_checked_keys():
    links = TreatmentSession.points.through
    return [
        (TreatmentSession._meta.db_table, Patient._meta.db_table),
        (links._meta.db_table, TreatmentSession._meta.db_table),
        (links._meta.db_table, Acupoint._meta.db_table),
    ]


def _may_alter_keys(cursor):
    """Whether this database user owns the tables whose keys a bulk check drops and adds back.

    A deployment may run the app as a user that can read and write the tables but not alter them;
    its large imports check their keys row by row.
    """
    tables = [table for table, _ in _bulk_checked_keys()]
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(%s::regclass[])",
        [[_q(table) for table in tables]],
    )
    return bool(cursor.fetchone()[0])


@contextmanager
def _foreign_keys_checked_in_bulk(cursor):
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
        cursor.execute(f"LOCK TABLE {', '.join(_q(table) for table in tables)} IN ACCESS EXCLUSIVE MODE")
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
            [_q(table), _q(referenced)],
        )
        keys += [(table, name, definition) for name, definition in cursor.fetchall()]
    for table, name, _ in keys:
        cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    yield
    for table, name, definition in keys:
        # Adding a foreign key checks every row of the table against the referenced one, in one join.
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")


def _tune_for_staged_rows(cursor):
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
    cursor.execute(f"ANALYZE {_q(ROWS_TABLE)}, {_q(POINTS_TABLE)}")
    return work_mem


def _analyze(cursor):
    """Refresh the planner's statistics: after a large import, old ones give the dashboard slow plans."""
    tables = [Patient._meta.db_table, TreatmentSession._meta.db_table, TreatmentSession.points.through._meta.db_table]
    cursor.execute(f"ANALYZE {', '.join(_q(table) for table in tables)}")


def _format(problems):
    order = {name: index for index, name in enumerate(COLUMNS)}
    problems.sort(key=lambda problem: (problem[0], order.get(problem[1], -1)))
    return [f"line {line}: {column}: {message}" for line, column, message in problems]
