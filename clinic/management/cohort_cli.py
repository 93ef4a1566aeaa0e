"""What cohort_table, cohort_summary and cohort_pool share: the cohort options (same names, checks and
messages), the CSV columns of a cohort row, and a plain-text table for the terminal."""

import datetime as dt

from django.core.management.base import CommandError

from protocols.models import Protocol
from protocols.selectors import patients_on_protocol
from sessions.outcome_table import DEFAULT_SESSIONS, SESSIONS_RANGE
from sessions.outcomes import WINDOW_DATES, CohortParams


def cohort_arguments_add(parser):
    low, high = SESSIONS_RANGE
    parser.add_argument(
        "--sessions",
        type=int,
        default=DEFAULT_SESSIONS,
        help=f"Session N to compare with session 1 ({low}–{high}, default {DEFAULT_SESSIONS}).",
    )
    parser.add_argument(
        "--reading",
        choices=["post", "pre"],
        default="post",
        help="Session N's reading after (post, default) or before (pre) treatment.",
    )
    parser.add_argument(
        "--from", dest="date_from", help="Only patients whose session 1 is on or after this date (YYYY-MM-DD)."
    )
    parser.add_argument(
        "--to", dest="date_to", help="Only patients whose session 1 is on or before this date (YYYY-MM-DD)."
    )
    parser.add_argument(
        "--all-patients", action="store_true", help="Include patients without research consent (internal use only)."
    )
    parser.add_argument(
        "--protocol", metavar="SLUG", help="Only patients with a treatment plan based on this protocol."
    )


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"'{text}' is not a date: use YYYY-MM-DD.") from None


def window_dates(date_from, date_to):
    """Return the --from/--to texts as dates (None when not given). Raise CommandError for a bad or
    implausible date, or a window whose start is after its end."""
    date_from = _date(date_from) if date_from else None
    date_to = _date(date_to) if date_to else None
    for day in (date_from, date_to):
        if day and not WINDOW_DATES[0] <= day <= WINDOW_DATES[1]:
            raise CommandError(f"{day.isoformat()} is not a plausible date: use one from 1900 to 2199.")
    if date_from and date_to and date_from > date_to:
        raise CommandError("The window's start is after its end.")
    return date_from, date_to


def cohort_params_from_options(*, sessions, reading, date_from, date_to, all_patients, protocol):
    """Return (CohortParams, the parameters as the JSON documents record them). Raise CommandError."""
    date_from = _date(date_from) if date_from else None
    date_to = _date(date_to) if date_to else None
    patients = None
    if protocol:
        found = Protocol.objects.filter(slug=protocol).first()
        if found is None:
            known = ", ".join(Protocol.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"There is no protocol '{protocol}'. Protocols: {known}.")
        patients = patients_on_protocol(protocol=found)
    try:
        params = CohortParams(sessions, reading, date_from, date_to, all_patients, patients)
    except ValueError as error:
        raise CommandError(str(error)) from None
    recorded = {
        "sessions": sessions,
        "reading": reading,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "all_patients": all_patients,
        "protocol": protocol or None,
    }
    return params, recorded


def text_table(headings, lines):
    """Return the lines of a plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(line[i]) for line in [headings, *lines]) for i in range(len(headings))]
    return [
        "  ".join(
            [line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        )
        for line in [headings, *lines]
    ]
