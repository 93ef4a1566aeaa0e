"""Reading the file and checking each row: lines, header, value parsers, the per-row cleaner.

Nothing here touches the database beyond loading reference data (conditions, points,
practitioners); a cleaned row is a tuple in the order of STAGING_COLUMNS, which staging.py
creates its table from.
"""

import codecs
import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.lib.roles import PRACTITIONERS
from patients.models import OLDEST_AGE, PATIENT_REF_PATTERN, Condition, Patient, date_of_birth_problem
from patients.validators import ControlCharacterValidator
from sessions.acupoints import parse_point_codes
from sessions.models import (
    EARLIEST_SESSION,
    EARLIEST_SESSION_MESSAGE,
    NEEDLE_GAUGE_RANGE,
    PGIC,
    PGIC_RANGE,
    PULSE_RANGE,
    RETENTION_RANGE,
    SPO2_RANGE,
    Acupoint,
    Change,
    TreatmentSession,
)

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
    "pgic",
    "notes",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Columns that describe the patient rather than the session: every row of a patient must agree.
PATIENT_DETAIL_COLUMNS = ("condition", "first_name", "last_name", "date_of_birth", "sex", "research_consent")
# Columns that are answers to an outcome measure (sessions.Instrument): stored in the session's
# instrument_answers under the column's name, not in a column of their own.
ANSWER_COLUMNS = (PGIC,)
# Optional columns stored in a session column of the same name (points go to their own table).
SESSION_COLUMNS = tuple(
    name
    for name in OPTIONAL_COLUMNS
    if name not in PATIENT_DETAIL_COLUMNS and name != "points" and name not in ANSWER_COLUMNS
)

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
        if text.isprintable():
            # No control character can be in it (they are not printable), so the validator, which looks
            # at each character in Python, would pass it: skipping it saves seconds a million rows.
            return text
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


class RowParsers:
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
            "pgic": cached(lambda text: _whole_number(text, *PGIC_RANGE)),
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
                .objects.filter(username=text, groups__name=PRACTITIONERS)
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
    ("pgic", None),
    ("notes", TreatmentSession._meta.get_field("notes")),
)
# File column -> staging column, for the columns read by RowParsers.by_column.
STAGING_COLUMN = {
    "condition": "condition_id",
    "session_date": "started_at",
    "practitioner": "practitioner_id",
    **{name: name for name in OPTIONAL_COLUMNS if name not in ("practitioner", "points")},
}
# Staging columns that are text in the model: an empty cell is stored as '' rather than NULL.
_BLANK_TEXT = {"warmth_change", "clarity_change", "notes"}


def decoded_lines(binary, problems, progress):
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


def read_header(reader, problems):
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


def row_cleaner(header, parsers, problems, names_refused):
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
        (index, name, positions[STAGING_COLUMN[name]], parsers.by_column[name])
        for index, name in enumerate(header)
        if name in STAGING_COLUMN
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
