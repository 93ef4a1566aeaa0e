"""Reads of protocols and plans: the protocol for a condition, the plan suggested for a patient,
their current plan and how far it has got. Nothing here is shown to a patient as a plan: a plan
exists only once a practitioner confirms it (services.plan_start)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from patients.models import Patient
from protocols.models import Protocol, TreatmentPlan
from sessions.safety import CAUTION_POINTS, safety_warnings


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


def protocol_for_condition(*, condition):
    """Return the active protocol for `condition` (the first by name when several), or None."""
    return Protocol.objects.filter(is_active=True, conditions=condition).order_by("name").first()


def patients_on_protocol(*, protocol):
    """Return the patients with a treatment plan, current or past, based on `protocol` (a Protocol)."""
    return Patient.objects.filter(plans__protocol=protocol).distinct()


def plan_suggest(*, patient, protocol=None):
    """Return a PlanSuggestion for `patient` from `protocol` (default: their condition's), or None.

    The safety rules (sessions.safety) decide: points they caution against for this patient are
    taken out, each named with the reason; the other warnings become the plan's cautions, with
    their advice. The plan form offers electro-stimulation, so the suggestion asks the rules about
    it whatever the protocol says; a rule against it rules it out.
    """
    protocol = protocol or protocol_for_condition(condition=patient.condition)
    if protocol is None:
        return None
    return suggestion_for(patient=patient, protocol=protocol, points=list(protocol.points.order_by("position")))


def suggestion_for(*, patient, protocol, points):
    """Return the PlanSuggestion for `patient` from `protocol`, whose points (Acupoint rows) are given.

    No queries: plan_suggest reads the points; the demo data passes them once for many patients.
    """
    removed_codes, removed, cautions = set(), [], []
    electrostimulation = protocol.electrostimulation
    for warning in safety_warnings(patient=patient, points=points, electrostimulation=True):
        if warning.rule.concerns == CAUTION_POINTS:
            removed_codes.update(warning.points)
            removed += [{"code": code, "reason": warning.rule.reason} for code in warning.points]
            continue
        if warning.rule.flag == "implanted_device":
            electrostimulation = False
        cautions.append(f"{warning.sentence} {warning.rule.advice}".strip())
    return PlanSuggestion(
        protocol=protocol,
        points=[point for point in points if point.code not in removed_codes],
        removed_points=removed,
        cautions=cautions,
        electrostimulation=electrostimulation,
    )


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


def plan_progress(*, plan, today=None):
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


def session_plan_differences(*, session, plan, plan_codes):
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


def current_plan(*, patient):
    """Return `patient`'s current confirmed plan with its protocol and points, or None."""
    return (
        TreatmentPlan.objects.filter(patient=patient, is_current=True)
        .select_related("protocol", "confirmed_by")
        .prefetch_related("points")
        .first()
    )
