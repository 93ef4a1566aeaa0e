"""Comparing courses: the cohort table restricted to patients whose plan follows one protocol."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from patients.tests.factories import PatientFactory
from protocols.models import Protocol
from protocols.selectors import patients_on_protocol
from protocols.services import plan_start
from protocols.tests.factories import ProtocolFactory
from sessions.outcomes import cohort_outcomes
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(practitioner):
    """Six consenting patients with sessions 1 and 6 (Δ +1 … +6); the first two follow 'warm-hands'."""
    warm = ProtocolFactory(name="Warm hands", slug="warm-hands")
    ProtocolFactory(name="Other course", slug="other-course")
    for gain in range(1, 7):
        patient = PatientFactory()
        TreatmentSessionFactory(patient=patient, number=1, spo2_pre=90, spo2_post=91)
        TreatmentSessionFactory(patient=patient, number=6, spo2_pre=92, spo2_post=90 + gain)
        if gain <= 2:
            plan_start(
                patient=patient,
                protocol=warm,
                confirmed_by=practitioner,
                points=[],
                planned_sessions=6,
                interval_days=7,
            )
    return warm


def test_the_protocol_filter_keeps_only_patients_with_a_plan_from_it(cohort):
    [row] = cohort_outcomes(patients=patients_on_protocol(protocol=cohort))
    assert (row["patients"], row["delta_spo2"]) == (2, 1.5)
    assert cohort_outcomes(patients=patients_on_protocol(protocol=Protocol.objects.get(slug="other-course"))) == []


def test_without_the_filter_the_table_is_unchanged(cohort):
    [row] = cohort_outcomes()
    assert (row["patients"], row["delta_spo2"]) == (6, 3.5)
    assert cohort_outcomes() == cohort_outcomes(patients=None)


def _json(*args):
    out = StringIO()
    call_command("cohort_table", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_cohort_table_takes_a_protocol_and_says_so_in_json(cohort):
    document = _json("--protocol", "warm-hands")
    assert document["protocol"] == "warm-hands"
    assert [row["patients"] for row in document["rows"]] == [2]


def test_cohort_table_json_keeps_the_contract_keys_without_the_filter(cohort):
    assert list(_json()) == ["sessions", "reading", "from", "to", "all_patients", "rows"]


def test_cohort_table_names_an_unknown_protocol(cohort):
    with pytest.raises(CommandError, match="There is no protocol 'nope'. Protocols: other-course, warm-hands."):
        call_command("cohort_table", "--protocol", "nope", stdout=StringIO())


def test_the_dashboard_filters_by_protocol(client, clinic_lead, cohort):
    client.force_login(clinic_lead)
    html = client.get("/admin/outcomes/", {"sessions": 6, "reading": "post", "protocol": "warm-hands"}).content.decode()
    assert "Only patients with a treatment plan based on the protocol <strong>warm-hands</strong>" in html
    assert '<option value="warm-hands" selected>Warm hands</option>' in html
    unfiltered = client.get("/admin/outcomes/").content.decode()
    assert "Only patients with a treatment plan" not in unfiltered
