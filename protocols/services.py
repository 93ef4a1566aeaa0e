"""Writes to treatment plans: starting one. A plan exists only once a practitioner confirms it."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from patients.models import Patient
from protocols.models import TreatmentPlan
from sessions.safety import electrostimulation_ruled_out


def plan_start(
    *,
    patient,
    protocol,
    confirmed_by,
    points,
    planned_sessions,
    interval_days,
    needle_gauge_mm=None,
    retention_minutes=None,
    electrostimulation=False,
    removed_points=(),
    cautions=(),
):
    """Confirm a plan for `patient`, replacing their current one, and return it.

    Session 1 of the plan is the patient's next session. An implanted electrical device always
    (a safety rule) rules out electro-stimulation, whatever was asked. Raise ValidationError for out-of-range values.
    """
    with transaction.atomic():
        # One confirmation at a time per patient: a double click must not make two current plans.
        Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).get()
        highest = patient.sessions.aggregate(highest=Max("number"))["highest"] or 0
        TreatmentPlan.objects.filter(patient=patient, is_current=True).update(is_current=False)
        plan = TreatmentPlan(
            patient=patient,
            protocol=protocol,
            protocol_version=protocol.version,
            planned_sessions=planned_sessions,
            interval_days=interval_days,
            needle_gauge_mm=needle_gauge_mm,
            retention_minutes=retention_minutes,
            electrostimulation=electrostimulation and not electrostimulation_ruled_out(patient=patient),
            first_session_number=highest + 1,
            removed_points=list(removed_points),
            cautions=list(cautions),
            confirmed_by=confirmed_by,
            confirmed_at=timezone.now(),
        )
        plan.full_clean(exclude=["points"])
        plan.save()
        plan.points.set(points)
    return plan
