"""The de-identified research export (docs/design.md, "Research export").

One row per session of a patient with research consent. A patient appears only as a keyed
pseudonym (HMAC-SHA256 of their internal id with RESEARCH_EXPORT_KEY: the same key gives the same
pseudonyms in every export, another key unlinkable ones), an age band and their sex; a session
only by its number and the days since the patient's first session. Never names, contact details,
dates of birth, references, notes or dates.
"""

import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from sessions.selectors import research_sessions

# Shorter keys can be guessed; the pseudonyms would then be reversible by trying every id.
RESEARCH_KEY_MIN_LENGTH = 32
AGE_BAND_YEARS = 5
# Ages from this one up share one band, as the very old are few enough to be recognised.
AGE_TOP_CODED = 90
COLUMNS = [
    "pseudonym",
    "age_band",
    "sex",
    "condition",
    "session_number",
    "days_since_first_session",
    "spo2_pre",
    "spo2_post",
    "pulse_pre",
    "pulse_post",
    "needle_gauge_mm",
    "retention_minutes",
    "points",
    "warmth_change",
    "clarity_change",
    "pgic",
    "adverse_events",
]


class ResearchKeyMissing(Exception):
    """RESEARCH_EXPORT_KEY is unset or too short: no export may run."""


def research_key():
    """Return the key behind the pseudonyms. Raise ResearchKeyMissing when it is unset or too short."""
    key = getattr(settings, "RESEARCH_EXPORT_KEY", None) or ""
    if len(key) < RESEARCH_KEY_MIN_LENGTH:
        raise ResearchKeyMissing(
            f"RESEARCH_EXPORT_KEY is {'too short' if key else 'not set'}: set it to a secret of at least "
            f"{RESEARCH_KEY_MIN_LENGTH} characters (the same one for every export whose pseudonyms should match)."
        )
    return key


def research_pseudonym(*, key, patient_id):
    """Return the patient's pseudonym: HMAC-SHA256 of their internal id (as text) with `key`, in hex."""
    return hmac.new(key.encode(), str(patient_id).encode(), hashlib.sha256).hexdigest()


def age_band(*, born, on):
    """Return the 5-year age band ("40-44") of someone born on `born` at the date `on`; "90+" from 90;
    "" when the date of birth is unknown."""
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age >= AGE_TOP_CODED:
        return f"{AGE_TOP_CODED}+"
    low = age // AGE_BAND_YEARS * AGE_BAND_YEARS
    return f"{low}-{low + AGE_BAND_YEARS - 1}"


def research_rows(*, key, date_from=None, date_to=None):
    """Return the export's rows (lists in COLUMNS order, None for no value), ordered by pseudonym and
    session number so that the order says nothing about when patients came. `date_from`/`date_to`
    (inclusive) keep patients whose first session's clinic-local date is inside the window."""
    rows = []
    for session in research_sessions(date_from=date_from, date_to=date_to):
        patient = session.patient
        first_day = timezone.localdate(session.first_started_at)
        rows.append(
            [
                research_pseudonym(key=key, patient_id=patient.pk),
                age_band(born=patient.date_of_birth, on=first_day),
                patient.sex,
                patient.condition.name,
                session.number,
                (timezone.localdate(session.started_at) - first_day).days,
                session.spo2_pre,
                session.spo2_post,
                session.pulse_pre,
                session.pulse_post,
                session.needle_gauge_mm,
                session.retention_minutes,
                " ".join(point.code for point in session.points.all()),
                session.warmth_change,
                session.clarity_change,
                session.pgic,
                ";".join(session.adverse_events),
            ]
        )
    rows.sort(key=lambda row: (row[0], row[4]))
    return rows
