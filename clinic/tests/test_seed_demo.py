from io import StringIO
from statistics import mean

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from patients.models import SAFETY_FLAGS, Patient
from protocols.models import TreatmentPlan
from protocols.selectors import plan_suggest, session_plan_differences
from sessions.models import TreatmentSession
from sessions.safety import safety_warnings


def _seed(*args):
    out = StringIO()
    call_command("seed_demo", "--allow-production", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _snapshot():
    return (
        sorted(Patient.objects.values_list("patient_ref", "first_name", "condition_id", "research_consent")),
        sorted(TreatmentSession.objects.values_list("patient__patient_ref", "number", "spo2_pre", "spo2_post")),
        sorted(User.objects.values_list("username", "password")),
    )


@pytest.mark.django_db
def test_seed_demo_creates_users_patients_and_sessions_and_prints_logins():
    out = _seed()
    assert Patient.objects.filter(is_demo=True).count() == 120
    assert 120 <= TreatmentSession.objects.count() <= 1200
    for username in ["demo-practitioner", "demo-frontdesk", "demo-editor", "demo-lead"]:
        assert username in out
    assert "acuflow-demo" in out
    assert User.objects.get(username="demo-lead").groups.filter(name="Clinic lead").exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    _seed()
    before = _snapshot()
    out = _seed()
    assert _snapshot() == before
    assert "0 patients and 0 sessions created" in out


@pytest.mark.django_db
def test_seed_demo_with_more_patients_adds_only_the_missing_ones():
    _seed("--patients", "10")
    first_ten = sorted(Patient.objects.values_list("patient_ref", "first_name", "last_name"))
    _seed("--patients", "25")
    assert Patient.objects.count() == 25
    assert (
        sorted(
            Patient.objects.filter(patient_ref__lte="DEMO-000010").values_list("patient_ref", "first_name", "last_name")
        )
        == first_ten
    )


@pytest.mark.django_db
def test_demo_figures_look_like_a_real_clinic():
    _seed()
    first = TreatmentSession.objects.filter(number=1, spo2_pre__isnull=False)
    baseline = mean(first.values_list("spo2_pre", flat=True))
    assert 92 <= baseline <= 95
    sixth = dict(
        TreatmentSession.objects.filter(number=6, spo2_post__isnull=False).values_list("patient_id", "spo2_post")
    )
    gains = [sixth[pid] - pre for pid, pre in first.values_list("patient_id", "spo2_pre") if pid in sixth]
    assert len(gains) > 40
    assert 0 <= mean(gains) <= 3


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_unless_told():
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_sessions_each_gives_every_new_patient_that_many_sessions():
    out = _seed("--patients", "12", "--sessions-each", "10")
    assert "12 patients and 120 sessions created" in out
    assert set(TreatmentSession.objects.values_list("number", flat=True)) == set(range(1, 11))


def _age(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _first_session_day(patient):
    return timezone.localdate(patient.sessions.get(number=1).started_at)


@pytest.mark.django_db
def test_only_women_of_childbearing_age_are_flagged_pregnant():
    _seed()
    pregnant = list(Patient.objects.filter(is_demo=True, pregnant=True))
    assert pregnant, "the demo should show the pregnancy flag on someone"
    implausible = [
        patient.patient_ref
        for patient in pregnant
        if patient.sex != Patient.Sex.FEMALE or not 18 <= _age(patient.date_of_birth, _first_session_day(patient)) <= 45
    ]
    assert implausible == []


@pytest.mark.django_db
def test_blood_thinners_and_pacemakers_are_flags_of_older_patients():
    _seed("--patients", "600")
    today = timezone.localdate()
    patients = list(Patient.objects.filter(is_demo=True))
    older = [patient for patient in patients if _age(patient.date_of_birth, today) >= 62]
    younger = [patient for patient in patients if _age(patient.date_of_birth, today) < 62]

    def share(group, flag):
        return sum(getattr(patient, flag) for patient in group) / len(group)

    for flag in ["blood_thinners", "implanted_device"]:
        assert share(older, flag) > 2 * share(younger, flag), flag
    # Each flag at a plausible rate: present, and nowhere near everyone.
    for flag in SAFETY_FLAGS:
        assert 0 < share(patients, flag) < 0.15, flag


@pytest.mark.django_db
def test_no_demo_session_breaks_a_safety_rule_the_session_form_enforces():
    _seed("--patients", "300")
    sessions = TreatmentSession.objects.select_related("patient").prefetch_related("points")
    broken, acknowledged = [], 0
    for session in sessions:
        warnings = safety_warnings(patient=session.patient, points=list(session.points.all()))
        if warnings:
            acknowledged += 1
        stored = session.safety_acknowledgement.splitlines()
        if [warning.sentence for warning in warnings] != stored:
            broken.append((session.patient.patient_ref, session.number))
    assert broken == []
    assert acknowledged, "some demo sessions needed, and carry, an acknowledgement"


@pytest.mark.django_db
def test_demo_readings_below_90_percent_are_rare_and_marked_for_follow_up():
    _seed("--patients", "300")
    sessions = list(TreatmentSession.objects.all())
    low = [s for s in sessions if min(r for r in (s.spo2_pre, s.spo2_post, 100) if r is not None) < 90]
    assert len(low) / len(sessions) < 0.02
    assert all(session.needs_follow_up for session in low)


@pytest.mark.django_db
def test_demo_plans_are_the_suggestion_and_their_sessions_follow_them_with_a_few_differences():
    _seed("--patients", "300")
    plans = list(TreatmentPlan.objects.select_related("patient", "protocol").prefetch_related("points"))
    assert len(plans) > 50
    followed = differing = 0
    for plan in plans:
        suggestion = plan_suggest(patient=plan.patient, protocol=plan.protocol)
        assert [point.code for point in plan.points.all()] == [point.code for point in suggestion.points]
        assert plan.removed_points == suggestion.removed_points and plan.cautions == suggestion.cautions
        plan_codes = {point.code for point in plan.points.all()}
        for session in plan.patient.sessions.prefetch_related("points"):
            differences = session_plan_differences(session=session, plan=plan, plan_codes=plan_codes)
            followed += not differences
            differing += bool(differences)
    assert followed > 4 * differing > 0
