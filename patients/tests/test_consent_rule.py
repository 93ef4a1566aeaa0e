"""The consent rule, written once: a consent's time is when it was given, kept while it stands, cleared on withdrawal.

The intake and admin apply it one patient at a time (`consent_time`), the import set-based
(`consent_times`); both must say the same thing.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from patients.models import Patient, consent_time, consent_times
from patients.services import patient_save
from patients.tests.factories import PatientFactory
from sessions.tests.test_import import _import

pytestmark = pytest.mark.django_db

EARLIER = timezone.now() - dt.timedelta(days=30)


def test_the_one_patient_and_the_set_based_forms_of_the_rule_agree_in_every_case():
    now = timezone.now()
    for given, given_at in itertools.product([True, False], [None, EARLIER]):
        patient = PatientFactory(research_consent=given, research_consent_at=given_at)
        Patient.objects.filter(pk=patient.pk).update(**consent_times(now=now))
        patient.refresh_from_db()
        assert patient.research_consent_at == consent_time(given=given, given_at=given_at, now=now), (given, given_at)


def test_a_consent_that_stands_keeps_the_time_it_was_given_when_staff_save_the_patient():
    patient = PatientFactory(research_consent=True, research_consent_at=EARLIER)
    patient.phone = "+44 20 7946 0000"
    patient_save(patient=patient)
    patient.refresh_from_db()
    assert patient.research_consent_at == EARLIER


def test_the_import_dates_a_consent_it_gives_and_clears_one_it_withdraws():
    before = timezone.now()
    header = "patient_ref,condition,session_number,session_date,first_name,last_name,research_consent"
    _import(f"{header}\nH-9,Chronic Fatigue Syndrome,1,2025-01-06,Ada,Lovelace,yes")
    patient = Patient.objects.get(patient_ref="H-9")
    assert patient.research_consent and patient.research_consent_at >= before
    given_at = patient.research_consent_at

    _import(f"{header}\nH-9,Chronic Fatigue Syndrome,2,2025-01-13,,,yes")
    patient.refresh_from_db()
    assert patient.research_consent_at == given_at, "a consent that stands keeps its time"

    _import(f"{header}\nH-9,Chronic Fatigue Syndrome,3,2025-01-20,,,no")
    patient.refresh_from_db()
    assert not patient.research_consent and patient.research_consent_at is None
    assert patient.research_consent_withdrawn_at >= given_at, "the import records the withdrawal"


def test_withdrawing_research_consent_records_when_and_giving_it_again_keeps_that_record():
    patient = PatientFactory(research_consent=False)
    patient.research_consent = True
    patient_save(patient=patient)
    assert patient.research_consent_at is not None and patient.research_consent_withdrawn_at is None

    patient.research_consent = False
    patient_save(patient=patient)
    patient.refresh_from_db()
    assert patient.research_consent_at is None and patient.research_consent_withdrawn_at is not None

    withdrawn = patient.research_consent_withdrawn_at
    patient.research_consent = True
    patient_save(patient=patient)
    patient.refresh_from_db()
    assert patient.research_consent_at is not None and patient.research_consent_withdrawn_at == withdrawn
