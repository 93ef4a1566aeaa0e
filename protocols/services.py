"""Suggesting a personalised plan from a protocol, and starting it. Nothing here is shown to a
patient: a plan exists only once a practitioner confirms it."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from patients.models import Patient
from protocols.models import Protocol, TreatmentPlan

PREGNANCY_REASON = "traditionally avoided in pregnancy; the patient is flagged pregnant or possibly pregnant"
BLEEDING_CAUTION = (
    "Blood-thinning medication or a bleeding disorder: use fine needles, shallow insertion, firm pressure after "
    "withdrawal, and watch for bruising or bleeding."
)
DEVICE_CAUTION = "Pacemaker or implanted electrical device: electro-stimulation is ruled out for this patient."


@dataclass
class PlanSuggestion:
    """The protocol for a patient's condition with their safety screen applied."""

    protocol: Protocol
    points: list  # Acupoint rows, in catalogue order
    removed_points: list = field(default_factory=list)  # [{"code": …, "reason": …}]
    cautions: list = field(default_factory=list)  # plain sentences
    electrostimulation: bool = False

    @property
    def planned_sessions(self):
        return self.protocol.planned_sessions

    @property
    def interval_days(self):
        return self.protocol.interval_days


def protocol_for_condition(condition):
    """Return the active protocol for `condition` (the first by name when several), or None."""
    return Protocol.objects.filter(is_active=True, conditions=condition).order_by("name").first()


def plan_suggest(patient, protocol=None):
    """Return a PlanSuggestion for `patient` from `protocol` (default: their condition's), or None.

    Pregnancy-caution points are taken out for a patient flagged pregnant, each named with the
    reason; blood-thinners or a bleeding disorder add a caution; an implanted electrical device
    rules out electro-stimulation.
    """
    protocol = protocol or protocol_for_condition(patient.condition)
    if protocol is None:
        return None
    points, removed, cautions = [], [], []
    for point in protocol.points.order_by("position"):
        if patient.pregnant and point.pregnancy_caution:
            removed.append({"code": point.code, "reason": PREGNANCY_REASON})
        else:
            points.append(point)
    if patient.blood_thinners or patient.bleeding_disorder:
        cautions.append(BLEEDING_CAUTION)
    electrostimulation = protocol.electrostimulation
    if patient.implanted_device:
        electrostimulation = False
        cautions.append(DEVICE_CAUTION)
    return PlanSuggestion(
        protocol=protocol,
        points=points,
        removed_points=removed,
        cautions=cautions,
        electrostimulation=electrostimulation,
    )


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
    rules out electro-stimulation, whatever was asked. Raise ValidationError for out-of-range values.
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
            electrostimulation=electrostimulation and not patient.implanted_device,
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


@dataclass
class PlanProgress:
    done: int  # sessions of the plan logged so far
    planned: int
    next_number: int | None  # "session 3 of 6" is next_number of planned; None when complete
    next_due: object  # a date, or None before the first session and when complete
    overdue: bool

    @property
    def complete(self):
        return self.done >= self.planned


def plan_progress(plan, today=None):
    """Return how far `plan` has got: sessions done, the next due date and whether it is overdue.

    The next session is due `interval_days` after the latest session of the plan (by local date).
    """
    today = today or timezone.localdate()
    stats = plan.patient.sessions.filter(number__gte=plan.first_session_number).aggregate(
        done=Count("id"), latest=Max("started_at")
    )
    done = stats["done"]
    if done >= plan.planned_sessions:
        return PlanProgress(done, plan.planned_sessions, None, None, False)
    next_due = None
    if stats["latest"] is not None:
        next_due = timezone.localdate(stats["latest"]) + timedelta(days=plan.interval_days)
    return PlanProgress(
        done=done,
        planned=plan.planned_sessions,
        next_number=done + 1,
        next_due=next_due,
        overdue=next_due is not None and next_due < today,
    )


def session_plan_differences(session, plan, plan_codes):
    """Return how `session` departs from `plan`, as short labels: `+GB20`, `−LI4`, `gauge 0.25 mm`.

    `plan_codes` is the set of the plan's point codes (read once for all sessions). Sessions before
    the plan started, and values left empty in the session, are not differences.
    """
    if session.number < plan.first_session_number:
        return []
    codes = {point.code for point in session.points.all()}
    differences = [f"+{code}" for code in sorted(codes - plan_codes)]
    differences += [f"−{code}" for code in sorted(plan_codes - codes)]
    if None not in (session.needle_gauge_mm, plan.needle_gauge_mm) and session.needle_gauge_mm != plan.needle_gauge_mm:
        differences.append(f"gauge {session.needle_gauge_mm} mm")
    if None not in (session.retention_minutes, plan.retention_minutes) and (
        session.retention_minutes != plan.retention_minutes
    ):
        differences.append(f"{session.retention_minutes} min")
    return differences


def current_plan(patient):
    """Return `patient`'s current confirmed plan with its protocol and points, or None."""
    return (
        TreatmentPlan.objects.filter(patient=patient, is_current=True)
        .select_related("protocol", "confirmed_by")
        .prefetch_related("points")
        .first()
    )
