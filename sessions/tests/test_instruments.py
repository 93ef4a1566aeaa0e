"""Outcome measures (PGIC and any measure a clinic adds) are data: answers stored per session, checked twice."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from patients.tests.factories import PatientFactory
from sessions.models import Instrument, TreatmentSession
from sessions.services import session_correct, session_log
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_pgic_is_seeded_with_its_public_domain_question_and_seven_answers():
    pgic = Instrument.objects.get(code="pgic")
    assert pgic.question == "Since the start of treatment, how would you describe the change in your condition?"
    assert pgic.label(1) == "1: Very much improved"
    assert pgic.label(7) == "7: Very much worse"
    assert "public domain" in pgic.licence.lower()


@pytest.mark.parametrize("value", [0, 8, "2", 2.5, True])
def test_database_refuses_a_pgic_answer_off_the_scale(value):
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentSessionFactory(instrument_answers={"pgic": value})


def test_database_accepts_pgic_1_to_7_and_no_answer():
    for value in (1, 7):
        session = TreatmentSessionFactory(instrument_answers={"pgic": value})
        session.refresh_from_db()
        assert session.pgic == value
    assert TreatmentSessionFactory(instrument_answers={}).pgic is None


def test_logging_refuses_an_answer_to_an_unknown_measure(practitioner):
    patient = PatientFactory(practitioner=practitioner)
    with pytest.raises(ValidationError) as raised:
        session_log(
            patient=patient, practitioner=practitioner, started_at=timezone.now(), instrument_answers={"mymop": 3}
        )
    assert "mymop is not an instrument" in str(raised.value)
    assert not TreatmentSession.objects.exists()


def test_a_measure_the_clinic_adds_is_stored_without_a_schema_change(practitioner):
    # Text is the clinic's own (a licensed measure's wording is not shipped): here a made-up one.
    Instrument.objects.create(
        code="wellbeing-demo",
        questionnaire="wellbeing-demo",
        name="Wellbeing (demo)",
        question="How is your wellbeing today?",
        scale_min=0,
        scale_max=6,
        answer_labels=["0", "1", "2", "3", "4", "5", "6"],
    )
    patient = PatientFactory(practitioner=practitioner)
    session = session_log(
        patient=patient,
        practitioner=practitioner,
        started_at=timezone.now(),
        instrument_answers={"pgic": 2, "wellbeing-demo": 0},
    )
    session.refresh_from_db()
    assert session.instrument_answers == {"pgic": 2, "wellbeing-demo": 0}
    with pytest.raises(ValidationError, match="from 0 to 6"):
        session_log(
            patient=patient,
            practitioner=practitioner,
            started_at=timezone.now(),
            instrument_answers={"wellbeing-demo": 7},
        )


def test_an_instrument_needs_one_label_per_answer():
    instrument = Instrument(
        code="x", questionnaire="x", name="X", question="?", scale_min=1, scale_max=3, answer_labels=["a", "b"]
    )
    with pytest.raises(ValidationError, match="3 answers"):
        instrument.full_clean()


def test_correcting_the_pgic_answer_is_kept_as_an_amendment(practitioner):
    patient = PatientFactory(practitioner=practitioner)
    session = session_log(
        patient=patient,
        practitioner=practitioner,
        started_at=timezone.now() - dt.timedelta(hours=1),
        instrument_answers={"pgic": 4},
    )
    amendment = session_correct(session=session, user=practitioner, instrument_answers={"pgic": 2})
    assert amendment.change_rows() == [("outcome measures", "pgic: 4", "pgic: 2")]
