"""Writes to treatment sessions. Every write that must be all-or-nothing goes through here."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from patients.models import Patient
from patients.services import patient_details_erase
from sessions.models import CORRECTABLE_FIELDS, SessionAmendment, TreatmentSession, session_is_freely_editable


def _next_session_number(patient):
    """Return the next session number for `patient`. Call inside a transaction.

    The patient row is locked first (SELECT … FOR UPDATE on PostgreSQL), so two practitioners
    saving at the same moment are served one after the other and get consecutive numbers.
    """
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).get()
    highest = TreatmentSession.objects.filter(patient=patient).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def _session_insert(session):
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
    session = TreatmentSession(patient=patient, practitioner=practitioner, started_at=started_at, **readings)
    # The history row of its creation names who logged it, inside a web request or not.
    session._history_user = practitioner
    with transaction.atomic():
        _session_insert(session)
        session.points.set(points)
    return session


def _correctable_values(session):
    """Return the session's correctable fields as JSON-ready values (points as codes in catalogue order)."""
    values = {}
    for name in CORRECTABLE_FIELDS:
        if name == "points":
            values[name] = list(session.points.order_by("position").values_list("code", flat=True))
            continue
        value = getattr(session, name)
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif name == "started_at":
            value = value.astimezone(dt.UTC).isoformat()
        values[name] = value
    return values


def session_correct(*, session, user, reason="", points=None, **changes):
    """Apply `changes` to a logged session as `user` and return the SessionAmendment (None if nothing changed).

    `changes` are CORRECTABLE_FIELDS other than points; `points` (Acupoint rows), when given, replaces
    the session's points. Within 24 hours of logging, the session's own practitioner may correct it
    without a reason; any other correction is an amendment and needs `reason`. The values before and
    after are kept in the amendment. Raise ValidationError, saving nothing, when the reason is missing
    or a value breaks the session's rules; TypeError for a field that may not be corrected.
    """
    fixed = set(changes) - (set(CORRECTABLE_FIELDS) - {"points"})
    if fixed:
        raise TypeError(f"These session fields cannot be corrected: {', '.join(sorted(fixed))}")
    reason = (reason or "").strip()
    if not reason and not session_is_freely_editable(session, user):
        raise ValidationError(
            {"reason": "Sessions logged over 24 hours ago, by someone else or by an import need a reason to amend."},
            code="reason_required",
        )
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        before = _correctable_values(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(validate_unique=False)
        after = _correctable_values(locked)
        if points is not None:
            after["points"] = [point.code for point in sorted(points, key=lambda point: point.position)]
        changed = {
            name: {"before": before[name], "after": after[name]} for name in before if before[name] != after[name]
        }
        if not changed:
            return None
        locked._change_reason = reason or "Corrected within 24 hours"
        locked.save()
        if "points" in changed:
            locked.points.set(points)
        return SessionAmendment.objects.create(session=locked, changed_by=user, reason=reason, changes=changed)


def patients_erase(*, patients, erased_by, reason):
    """Erase the personal details of each of `patients` everywhere they are kept; return the PatientErasures.

    All of them or none, in one transaction: patients.services.patient_details_erase (the patient,
    their intakes and history), and the free text of their sessions (notes), the reasons and noted
    text of their corrections, and the same in every version of their sessions' history. Readings,
    points, numbers and dates stay, attached to the anonymous record, so the cohort figures do not
    change. Raise ValidationError for a reason that cannot be kept (patients.services.erasure_reason_check).
    """
    with transaction.atomic():
        erasures = [
            patient_details_erase(patient=patient, erased_by=erased_by, reason=reason)
            for patient in Patient.objects.select_for_update().filter(pk__in=patients.values("pk"))
        ]
        sessions = TreatmentSession.objects.filter(patient__in=[erasure.patient for erasure in erasures])
        sessions.update(notes="")
        TreatmentSession.history.filter(id__in=sessions.values("pk")).update(notes="", history_change_reason=None)
        for amendment in SessionAmendment.objects.filter(session__in=sessions):
            amendment.reason = ""
            if "notes" in amendment.changes:
                amendment.changes["notes"] = {"before": "", "after": ""}
            amendment.save(update_fields=["reason", "changes"])
    return erasures
