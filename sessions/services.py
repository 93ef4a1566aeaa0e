"""Writes to treatment sessions. Every write that must be all-or-nothing goes through here."""

from django.db import transaction
from django.db.models import Max

from patients.models import Patient
from sessions.models import TreatmentSession


def _next_session_number(patient):
    """Return the next session number for `patient`. Call inside a transaction.

    The patient row is locked first (SELECT … FOR UPDATE on PostgreSQL), so two practitioners
    saving at the same moment are served one after the other and get consecutive numbers.
    """
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).get()
    highest = TreatmentSession.objects.filter(patient=patient).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def session_insert(session):
    """Give an unsaved `session` the next number for its patient and save it, atomically.

    Raise ValidationError (nothing saved) when a value breaks the model's rules. Also moves a
    new patient to active: a patient who has been treated is no longer just an enquiry.
    """
    with transaction.atomic():
        session.number = _next_session_number(session.patient)
        session.full_clean(validate_unique=False)
        session.save()
        Patient.objects.filter(pk=session.patient_id, status=Patient.Status.NEW).update(status=Patient.Status.ACTIVE)
    return session


def session_log(*, patient, practitioner, started_at, points=(), **readings):
    """Record a treatment session for `patient` and return it, numbered 1, 2, 3 … per patient.

    `points` are Acupoint rows; `readings` are the other TreatmentSession fields
    (spo2_pre, spo2_post, pulse_pre, pulse_post, needle_gauge_mm, retention_minutes,
    warmth_change, clarity_change, adverse_events, safety_acknowledgement, notes).
    Raise ValidationError, saving nothing, when a value is out of range.
    """
    with transaction.atomic():
        session = session_insert(
            TreatmentSession(patient=patient, practitioner=practitioner, started_at=started_at, **readings)
        )
        session.points.set(points)
    return session
