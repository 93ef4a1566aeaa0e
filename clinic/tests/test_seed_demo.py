from io import StringIO
from statistics import mean

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from patients.models import Patient
from sessions.models import TreatmentSession


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


@pytest.mark.django_db
def test_only_women_aged_18_to_50_are_flagged_pregnant():
    _seed()
    today = timezone.localdate()
    pregnant = list(Patient.objects.filter(is_demo=True, pregnant=True))
    assert pregnant, "the demo should show the pregnancy flag on someone"
    implausible = [
        patient.patient_ref
        for patient in pregnant
        if patient.sex != Patient.Sex.FEMALE or not 18 <= _age(patient.date_of_birth, today) <= 50
    ]
    assert implausible == []
