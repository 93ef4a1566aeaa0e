import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from patients.models import Patient
from patients.tests.factories import PatientFactory
from sessions.models import Acupoint, TreatmentSession
from sessions.services import session_log


@pytest.mark.django_db
def test_sessions_are_numbered_one_two_three_per_patient(practitioner):
    patient, other = PatientFactory(practitioner=practitioner), PatientFactory()
    numbers = [
        session_log(patient=patient, practitioner=practitioner, started_at=timezone.now()).number,
        session_log(patient=patient, practitioner=practitioner, started_at=timezone.now()).number,
        session_log(patient=other, practitioner=practitioner, started_at=timezone.now()).number,
    ]
    assert numbers == [1, 2, 1]


@pytest.mark.django_db
def test_logging_stores_points_and_readings_and_activates_a_new_patient(practitioner):
    patient = PatientFactory(practitioner=practitioner)
    assert patient.status == Patient.Status.NEW
    session = session_log(
        patient=patient,
        practitioner=practitioner,
        started_at=timezone.now(),
        points=Acupoint.objects.filter(code__in=["LI4", "ST36"]),
        spo2_pre=93,
        spo2_post=95,
    )
    session.refresh_from_db()
    assert sorted(session.points.values_list("code", flat=True)) == ["LI4", "ST36"]
    assert (session.spo2_pre, session.spo2_post) == (93, 95)
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ACTIVE


@pytest.mark.django_db
def test_an_out_of_range_reading_saves_nothing(practitioner):
    patient = PatientFactory()
    with pytest.raises(ValidationError) as error:
        session_log(patient=patient, practitioner=practitioner, started_at=timezone.now(), spo2_pre=150)
    assert "spo2_pre" in error.value.message_dict
    assert not TreatmentSession.objects.exists()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks per table, not per database; the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_practitioners_saving_at_once_get_consecutive_numbers(practitioner, other_practitioner):
    patient = PatientFactory()
    writers = 8
    barrier = threading.Barrier(writers)
    numbers, failures = [], []

    def save(user):
        try:
            barrier.wait()
            numbers.append(session_log(patient=patient, practitioner=user, started_at=timezone.now()).number)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(practitioner if i % 2 else other_practitioner,)) for i in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(numbers) == list(range(1, writers + 1))
    assert sorted(patient.sessions.values_list("number", flat=True)) == list(range(1, writers + 1))
