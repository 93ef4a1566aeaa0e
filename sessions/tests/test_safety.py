"""The one safety module: which flags matter for which treatment, and the warnings every form shows."""

import pytest

from patients.models import SAFETY_FLAGS
from patients.tests.factories import PatientFactory
from practice.forms import PlanForm, SessionForm
from protocols.selectors import plan_suggest
from protocols.tests.factories import ProtocolFactory
from sessions.models import Acupoint
from sessions.safety import (
    ANY_NEEDLING,
    CAUTION_POINTS,
    ELECTROSTIMULATION,
    RULES,
    electrostimulation_ruled_out,
    needling_needs_acknowledgement,
    rules_for,
    safety_warnings,
)

pytestmark = pytest.mark.django_db


def _points(*codes):
    return list(Acupoint.objects.filter(code__in=codes))


def test_a_pregnant_patient_is_warned_about_the_caution_points_chosen_and_which_they_are():
    patient = PatientFactory(pregnant=True)
    [warning] = safety_warnings(patient=patient, points=_points("SP6", "ST36", "LI4"))
    assert warning.code == "pregnancy_caution_points" and warning.flag == "pregnant"
    assert warning.points == ("LI4", "SP6")  # catalogue order
    assert warning.rule.what == "Pregnant or possibly pregnant"
    assert warning.sentence == (
        "LI4, SP6 are traditionally avoided in pregnancy, and this patient is flagged as pregnant or possibly pregnant."
    )
    assert safety_warnings(patient=patient, points=_points("ST36")) == []


@pytest.mark.parametrize("flag", ["blood_thinners", "bleeding_disorder"])
def test_a_bleeding_risk_concerns_any_needling_but_not_a_session_without_points(flag):
    patient = PatientFactory(**{flag: True})
    [warning] = safety_warnings(patient=patient, points=_points("ST36"))
    assert warning.flag == flag and warning.points == () and warning.rule.concerns == ANY_NEEDLING
    assert "higher risk of bleeding and bruising" in warning.sentence
    assert safety_warnings(patient=patient, points=[]) == []


def test_an_implanted_device_rules_out_electrostimulation_and_nothing_else():
    patient = PatientFactory(implanted_device=True)
    assert safety_warnings(patient=patient, points=_points("LI4")) == []
    [warning] = safety_warnings(patient=patient, points=[], electrostimulation=True)
    assert warning.rule.concerns == ELECTROSTIMULATION
    assert electrostimulation_ruled_out(patient=patient)
    assert not electrostimulation_ruled_out(patient=PatientFactory())


def test_flags_without_a_rule_ask_for_nothing():
    ruled = {rule.flag for rule in RULES}
    for flag in set(SAFETY_FLAGS) - ruled:
        patient = PatientFactory(**{flag: True})
        assert rules_for(patient=patient) == []
        assert safety_warnings(patient=patient, points=_points("LI4", "SP6"), electrostimulation=True) == []
        assert not needling_needs_acknowledgement(patient=patient)


def test_every_rule_is_about_a_real_safety_flag():
    assert {rule.flag for rule in RULES} <= set(SAFETY_FLAGS)
    assert {rule.concerns for rule in RULES} == {CAUTION_POINTS, ANY_NEEDLING, ELECTROSTIMULATION}


def test_the_session_form_the_plan_form_and_the_plan_suggestion_say_the_same_thing():
    patient = PatientFactory(pregnant=True, blood_thinners=True)
    expected = [w.sentence for w in safety_warnings(patient=patient, points=_points("LI4", "ST36"))]

    session_form = SessionForm({"started_at": "2026-01-05T10:00", "points": "li4 st36"}, patient=patient)
    assert not session_form.is_valid()
    assert [w.sentence for w in session_form.safety_warnings] == expected

    plan_form = PlanForm(
        {"points": "li4 st36", "planned_sessions": "6", "interval_days": "7"}, patient=patient, initial={}
    )
    assert not plan_form.is_valid()
    # The plan asks for a tick only for the points; the bleeding caution travels with the plan.
    assert [w.sentence for w in plan_form.safety_warnings] == expected[:1]

    ProtocolFactory()  # LI4, ST36, SP6, PC6
    suggestion = plan_suggest(patient=patient)
    assert [removed["code"] for removed in suggestion.removed_points] == ["LI4", "SP6"]
    assert suggestion.cautions[0].startswith(expected[1])
