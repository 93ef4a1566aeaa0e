"""The research export's de-identification: keyed pseudonyms, age bands, days instead of dates."""

import csv
import datetime as dt
import hashlib
import hmac
import io

import pytest
from django.utils import timezone

from patients.tests.factories import PatientFactory
from sessions.models import Acupoint
from sessions.research import COLUMNS, ResearchKeyMissing, age_band, research_key, research_pseudonym, research_rows
from sessions.tests.factories import TreatmentSessionFactory

KEY = "k" * 40
FIRST = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_a_pseudonym_is_the_hmac_sha256_of_the_internal_id_with_the_key():
    assert research_pseudonym(key=KEY, patient_id=42) == hmac.new(KEY.encode(), b"42", hashlib.sha256).hexdigest()
    assert research_pseudonym(key=KEY, patient_id=42) == research_pseudonym(key=KEY, patient_id=42)
    assert research_pseudonym(key=KEY, patient_id=42) != research_pseudonym(key="x" * 40, patient_id=42)


@pytest.mark.parametrize(
    "born, on, band",
    [
        (dt.date(1980, 6, 15), dt.date(2026, 6, 14), "45-49"),
        (dt.date(1980, 6, 15), dt.date(2026, 6, 15), "45-49"),
        (dt.date(1981, 6, 15), dt.date(2026, 6, 14), "40-44"),
        (dt.date(1981, 6, 15), dt.date(2026, 6, 15), "45-49"),
        (dt.date(2010, 1, 1), dt.date(2026, 1, 1), "15-19"),
        (dt.date(1930, 1, 1), dt.date(2026, 1, 1), "90+"),
        (None, dt.date(2026, 1, 1), ""),
    ],
)
def test_the_age_band_is_five_years_wide_at_the_first_session_and_top_coded_at_90(born, on, band):
    assert age_band(born=born, on=on) == band


def test_no_export_without_a_key_long_enough_to_resist_guessing(settings):
    settings.RESEARCH_EXPORT_KEY = ""
    with pytest.raises(ResearchKeyMissing, match="not set"):
        research_key()
    settings.RESEARCH_EXPORT_KEY = "short"
    with pytest.raises(ResearchKeyMissing, match="too short"):
        research_key()
    settings.RESEARCH_EXPORT_KEY = KEY
    assert research_key() == KEY


@pytest.mark.django_db
def test_rows_carry_the_session_and_never_who_or_when(settings):
    settings.TIME_ZONE = "UTC"
    patient = PatientFactory(
        first_name="Zelda", last_name="Quixote", date_of_birth=dt.date(1970, 5, 1), sex="female", research_consent=True
    )
    TreatmentSessionFactory(patient=patient, number=1, started_at=FIRST, notes="secret note", instrument_answers={})
    second = TreatmentSessionFactory(
        patient=patient,
        number=2,
        started_at=FIRST + dt.timedelta(days=9, hours=5),
        spo2_pre=93,
        spo2_post=96,
        adverse_events=["bruising", "pain"],
        instrument_answers={"pgic": 2},
    )
    second.points.set(Acupoint.objects.filter(code__in=["ST36", "LI4"]))
    PatientFactory(research_consent=False)
    TreatmentSessionFactory(patient__research_consent=False, started_at=FIRST)

    rows = research_rows(key=KEY)
    assert len(rows) == 2
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row == {
        "pseudonym": research_pseudonym(key=KEY, patient_id=patient.pk),
        "age_band": "55-59",
        "sex": "female",
        "condition": "Chronic Fatigue Syndrome",
        "session_number": 2,
        "days_since_first_session": 9,
        "spo2_pre": 93,
        "spo2_post": 96,
        "pulse_pre": 72,
        "pulse_post": 68,
        "needle_gauge_mm": None,
        "retention_minutes": None,
        "points": "LI4 ST36",
        "warmth_change": "same",
        "clarity_change": "same",
        "pgic": 2,
        "adverse_events": "bruising;pain",
    }
    text = io.StringIO()
    # Without the pseudonym, whose hex digits could spell a year by chance.
    csv.writer(text).writerows(row[1:] for row in rows)
    for identifying in ["Zelda", "Quixote", patient.patient_ref, patient.email, "1970", "2026", "secret note"]:
        assert identifying not in text.getvalue()


@pytest.mark.django_db
def test_the_window_applies_to_the_local_date_of_the_first_session(settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # 9 hours ahead of UTC
    early = PatientFactory()
    TreatmentSessionFactory(patient=early, number=1, started_at=dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC))
    TreatmentSessionFactory(patient=early, number=2, started_at=dt.datetime(2026, 4, 1, 16, 0, tzinfo=dt.UTC))
    late = PatientFactory()
    TreatmentSessionFactory(patient=late, number=1, started_at=dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC))
    # 16:00 UTC on 1 March is 2 March in Tokyo; 14:00 UTC is still 1 March.
    kept = research_rows(key=KEY, date_from=dt.date(2026, 3, 2))
    assert {row[0] for row in kept} == {research_pseudonym(key=KEY, patient_id=early.pk)}
    assert [row[4] for row in kept] == [1, 2]
    assert len(research_rows(key=KEY, date_to=dt.date(2026, 3, 1))) == 1
    assert timezone.localdate(dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)) == dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_the_export_takes_the_same_queries_however_many_sessions(django_assert_num_queries):
    def add(count):
        for _ in range(count):
            session = TreatmentSessionFactory(patient=PatientFactory(), started_at=FIRST)
            session.points.set(Acupoint.objects.filter(code__in=["LI4"]))

    add(2)
    with django_assert_num_queries(2):
        research_rows(key=KEY)
    add(20)
    with django_assert_num_queries(2):
        assert len(research_rows(key=KEY)) == 22
