import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from patients.tests.factories import PatientFactory
from protocols.models import TreatmentPlan
from protocols.selectors import plan_progress, plan_suggest
from protocols.services import plan_start
from protocols.tests.factories import ProtocolFactory
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def _start(patient, practitioner, **overrides):
    suggestion = plan_suggest(patient=patient)
    values = {
        "patient": patient,
        "protocol": suggestion.protocol,
        "confirmed_by": practitioner,
        "points": suggestion.points,
        "planned_sessions": suggestion.planned_sessions,
        "interval_days": suggestion.interval_days,
        "removed_points": suggestion.removed_points,
        "cautions": suggestion.cautions,
        **overrides,
    }
    return plan_start(**values)


def test_starting_a_plan_records_who_confirmed_it_and_when(practitioner):
    ProtocolFactory()
    patient = PatientFactory(practitioner=practitioner, pregnant=True)
    plan = _start(patient, practitioner)
    assert plan.confirmed_by == practitioner
    assert timezone.now() - plan.confirmed_at < dt.timedelta(seconds=5)
    assert sorted(plan.points.values_list("code", flat=True)) == ["PC6", "ST36"]
    assert [removed["code"] for removed in plan.removed_points] == ["LI4", "SP6"]


def test_a_suggestion_is_not_a_plan_until_confirmed(practitioner):
    ProtocolFactory()
    patient = PatientFactory()
    plan_suggest(patient=patient)
    assert not TreatmentPlan.objects.filter(patient=patient).exists()


def test_a_new_plan_replaces_the_current_one(practitioner):
    ProtocolFactory()
    patient = PatientFactory()
    first = _start(patient, practitioner)
    second = _start(patient, practitioner, planned_sessions=8)
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlan.objects.filter(pk=first.pk).update(is_current=True)


def test_out_of_range_counts_are_refused(practitioner):
    ProtocolFactory()
    with pytest.raises(ValidationError) as error:
        _start(PatientFactory(), practitioner, planned_sessions=0)
    assert "planned_sessions" in error.value.message_dict


def test_an_implanted_device_rules_out_electrostimulation_even_if_asked(practitioner):
    ProtocolFactory(electrostimulation=True)
    plan = _start(PatientFactory(implanted_device=True), practitioner, electrostimulation=True)
    assert plan.electrostimulation is False


def test_the_plan_keeps_what_it_was_based_on_when_the_protocol_changes(practitioner):
    protocol = ProtocolFactory()
    plan = _start(PatientFactory(), practitioner)
    protocol.planned_sessions = 10
    protocol.save()
    protocol.points.clear()
    plan.refresh_from_db()
    assert plan.planned_sessions == 6 and plan.protocol_version == 1
    assert plan.points.count() == 4


def test_progress_counts_sessions_since_the_plan_started_and_marks_overdue(practitioner):
    ProtocolFactory()
    patient = PatientFactory()
    today = timezone.localdate()
    TreatmentSessionFactory(patient=patient, number=1, started_at=timezone.now() - dt.timedelta(days=40))
    plan = _start(patient, practitioner)
    assert plan.first_session_number == 2
    progress = plan_progress(plan=plan, today=today)
    assert (progress.done, progress.next_number, progress.next_due, progress.overdue) == (0, 1, None, False)

    TreatmentSessionFactory(patient=patient, number=2, started_at=timezone.now() - dt.timedelta(days=10))
    progress = plan_progress(plan=plan, today=today)
    assert (progress.done, progress.next_number) == (1, 2)
    assert progress.next_due == today - dt.timedelta(days=3)
    assert progress.overdue

    TreatmentSessionFactory(patient=patient, number=3, started_at=timezone.now())
    progress = plan_progress(plan=plan, today=today)
    assert progress.next_due == today + dt.timedelta(days=7) and not progress.overdue


def test_progress_is_complete_after_the_planned_sessions(practitioner):
    ProtocolFactory(planned_sessions=2)
    patient = PatientFactory()
    plan = _start(patient, practitioner)
    for number in (1, 2):
        TreatmentSessionFactory(patient=patient, number=number)
    progress = plan_progress(plan=plan)
    assert progress.complete and progress.next_number is None and not progress.overdue
