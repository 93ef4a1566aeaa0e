import pytest

from patients.tests.factories import ConditionFactory, PatientFactory
from protocols.selectors import plan_suggest
from protocols.tests.factories import ProtocolFactory
from sessions.safety import RULES, SafetyWarning

pytestmark = pytest.mark.django_db


def _codes(suggestion):
    return [point.code for point in suggestion.points]


def test_the_suggestion_is_the_protocol_for_the_patient_s_condition():
    ProtocolFactory(name="Migraine course", conditions=[ConditionFactory(slug="chronic-migraine")])
    protocol = ProtocolFactory(name="Fatigue course")
    suggestion = plan_suggest(patient=PatientFactory())
    assert suggestion.protocol == protocol
    assert _codes(suggestion) == ["LI4", "ST36", "SP6", "PC6"]
    assert suggestion.removed_points == [] and suggestion.cautions == []
    assert suggestion.planned_sessions == 6


def test_there_is_no_suggestion_without_an_active_protocol():
    ProtocolFactory(is_active=False)
    assert plan_suggest(patient=PatientFactory()) is None


def test_pregnancy_caution_points_are_taken_out_and_named_for_a_pregnant_patient():
    ProtocolFactory()
    suggestion = plan_suggest(patient=PatientFactory(pregnant=True))
    assert _codes(suggestion) == ["ST36", "PC6"]
    assert [removed["code"] for removed in suggestion.removed_points] == ["LI4", "SP6"]
    assert suggestion.removed_points[0]["reason"] == (
        "traditionally avoided in pregnancy, and this patient is flagged as pregnant or possibly pregnant"
    )


@pytest.mark.parametrize("flag", ["blood_thinners", "bleeding_disorder"])
def test_blood_thinners_or_a_bleeding_disorder_add_a_caution(flag):
    ProtocolFactory()
    suggestion = plan_suggest(patient=PatientFactory(**{flag: True}))
    [caution] = suggestion.cautions
    # The session form's warning for the same flag, with what to do about it.
    assert caution.startswith(SafetyWarning(next(rule for rule in RULES if rule.flag == flag)).sentence)
    assert "fine needles" in caution
    assert _codes(suggestion) == ["LI4", "ST36", "SP6", "PC6"]


def test_an_implanted_device_rules_out_electrostimulation():
    ProtocolFactory(electrostimulation=True)
    assert plan_suggest(patient=PatientFactory()).electrostimulation is True
    suggestion = plan_suggest(patient=PatientFactory(implanted_device=True))
    assert suggestion.electrostimulation is False
    assert suggestion.cautions == [
        "This patient has a pacemaker or implanted electrical device: electro-stimulation is ruled out."
    ]


@pytest.mark.parametrize("flag", ["metal_allergy", "needle_phobia", "reduced_sensation", "immunocompromised"])
def test_other_flags_leave_the_protocol_unchanged(flag):
    ProtocolFactory(electrostimulation=True)
    suggestion = plan_suggest(patient=PatientFactory(**{flag: True}))
    assert _codes(suggestion) == ["LI4", "ST36", "SP6", "PC6"]
    assert suggestion.electrostimulation is True and suggestion.cautions == []


def test_demo_protocols_cover_every_condition_but_other_and_are_idempotent():
    from patients.models import Condition
    from protocols.demo import demo_protocols_create
    from protocols.selectors import protocol_for_condition

    assert demo_protocols_create() == 5
    assert demo_protocols_create() == 0
    for condition in Condition.objects.exclude(slug="other"):
        assert protocol_for_condition(condition=condition) is not None
