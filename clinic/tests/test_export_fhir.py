"""export_fhir: one R4 Bundle, read back by fhirclient's R4 models, right codes, every reference inside it."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from fhirclient.models.bundle import Bundle
from fhirclient.models.fhirabstractbase import FHIRValidationError

from patients.tests.factories import PatientFactory
from sessions.models import Acupoint
from sessions.research import research_pseudonym
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db
KEY = "a-research-key-that-is-long-enough-1234"
FIRST = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def patient(settings):
    settings.RESEARCH_EXPORT_KEY = KEY
    patient = PatientFactory(
        patient_ref="AC-FHIR0001",
        first_name="Ines",
        last_name="Haverkamp",
        date_of_birth=dt.date(1971, 4, 2),
        sex="female",
        phone="+44 20 7946 0000",
        research_consent=True,
    )
    TreatmentSessionFactory(patient=patient, number=1, started_at=FIRST, notes="Nervous at first.")
    second = TreatmentSessionFactory(
        patient=patient,
        number=2,
        started_at=FIRST + dt.timedelta(days=7),
        spo2_pre=93,
        spo2_post=96,
        pulse_pre=74,
        pulse_post=None,
        needle_gauge_mm=Decimal("0.20"),
        adverse_events=["bruising"],
        instrument_answers={"pgic": 2},
    )
    second.points.set(Acupoint.objects.filter(code__in=["LI4", "ST36"]))
    return patient


def _export(tmp_path, *args):
    path = tmp_path / "bundle.json"
    call_command("export_fhir", str(path), *args, stdout=io.StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def _resources(bundle, kind):
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def _references(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference":
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def test_the_bundle_is_valid_fhir_r4_read_by_fhirclient(tmp_path, patient):
    document = _export(tmp_path)
    bundle = Bundle(document)  # strict: raises FHIRValidationError on anything R4 does not allow
    assert bundle.type == "collection"
    kinds = sorted({entry.resource.resource_type for entry in bundle.entry})
    assert kinds == ["Condition", "Observation", "Patient", "Procedure", "Questionnaire", "QuestionnaireResponse"]
    # Two sessions: 2 procedures; readings 94, 95, 72, 68 then 93, 96, 74: 7 observations.
    assert sum(1 for e in bundle.entry if e.resource.resource_type == "Observation") == 7


def test_fhirclient_refuses_what_r4_does_not_allow_so_the_check_above_can_fail(tmp_path, patient):
    document = _export(tmp_path)
    document["entry"][0]["resource"]["shoeSize"] = 42
    with pytest.raises(FHIRValidationError):
        Bundle(document)


def test_every_reference_and_questionnaire_resolves_inside_the_bundle(tmp_path, patient):
    document = _export(tmp_path)
    full_urls = [entry["fullUrl"] for entry in document["entry"]]
    assert len(full_urls) == len(set(full_urls))
    references = list(_references(document))
    assert references and set(references) <= set(full_urls)
    questionnaire_urls = {q["url"] for q in _resources(document, "Questionnaire")}
    assert {r["questionnaire"] for r in _resources(document, "QuestionnaireResponse")} <= questionnaire_urls


def _session_entries(document, number, kind):
    """The resources of `kind` that belong to session `number` (by their Procedure)."""
    [procedure_url] = [
        entry["fullUrl"]
        for entry in document["entry"]
        if entry["resource"]["resourceType"] == "Procedure"
        and entry["resource"]["extension"][0]["valueInteger"] == number
    ]
    return [r for r in _resources(document, kind) if r["partOf"][0]["reference"] == procedure_url]


def test_the_codes_are_snomed_acupuncture_loinc_vital_signs_and_ucum_units(tmp_path, patient):
    document = _export(tmp_path)
    procedures = [entry.resource for entry in Bundle(document).entry if entry.resource.resource_type == "Procedure"]
    assert all((c.system, c.code) == ("http://snomed.info/sct", "44868003") for p in procedures for c in p.code.coding)
    assert [site.text for site in procedures[1].bodySite] == ["LI4 Hegu", "ST36 Zusanli"]
    assert procedures[1].complication[0].text == "Bruising"
    assert procedures[1].performedDateTime.isostring.startswith("2026-03-09")

    by_text = {o["code"]["text"]: o for o in _session_entries(document, 2, "Observation")}
    assert sorted(by_text) == ["Heart rate before treatment", "SpO₂ after treatment", "SpO₂ before treatment"]
    spo2 = by_text["SpO₂ before treatment"]
    assert [(c["system"], c["code"]) for c in spo2["code"]["coding"]] == [
        ("http://loinc.org", "59408-5"),
        ("http://loinc.org", "2708-6"),
    ]
    assert spo2["valueQuantity"] == {"value": 93, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}
    assert spo2["category"][0]["coding"][0]["code"] == "vital-signs"
    assert spo2["extension"] == [{"url": "urn:acuflow:fhir:reading-time", "valueCode": "before-treatment"}]
    assert by_text["SpO₂ after treatment"]["extension"][0]["valueCode"] == "after-treatment"
    pulse = by_text["Heart rate before treatment"]
    assert pulse["code"]["coding"] == [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]
    assert (pulse["valueQuantity"]["value"], pulse["valueQuantity"]["code"]) == (74, "/min")
    assert len(_session_entries(document, 1, "Observation")) == 4


def test_pgic_is_a_questionnaire_response_with_its_answer(tmp_path, patient):
    document = _export(tmp_path)
    [response] = _resources(document, "QuestionnaireResponse")
    [item] = response["item"]
    assert item["linkId"] == "pgic"
    assert item["text"] == "Since the start of treatment, how would you describe the change in your condition?"
    assert item["answer"][0]["valueCoding"]["code"] == "2"
    assert item["answer"][0]["valueCoding"]["display"] == "Much improved"
    [questionnaire] = _resources(document, "Questionnaire")
    assert len(questionnaire["item"][0]["answerOption"]) == 7


def test_the_identified_export_names_the_patient(tmp_path, patient):
    [resource] = _resources(_export(tmp_path, "--patient", "AC-FHIR0001"), "Patient")
    assert resource["identifier"][0]["value"] == "AC-FHIR0001"
    assert resource["name"] == [{"family": "Haverkamp", "given": ["Ines"]}]
    assert resource["birthDate"] == "1971-04-02" and resource["gender"] == "female"


def test_the_research_export_carries_the_pseudonym_and_nothing_identifying(tmp_path, patient):
    PatientFactory(research_consent=False, last_name="Notconsented")
    document = _export(tmp_path, "--research")
    Bundle(document)
    [resource] = _resources(document, "Patient")
    assert resource["identifier"] == [
        {"system": "urn:acuflow:research-pseudonym", "value": research_pseudonym(key=KEY, patient_id=patient.pk)}
    ]
    assert resource["extension"] == [{"url": "urn:acuflow:fhir:age-band", "valueString": "50-54"}]
    text = json.dumps(document, ensure_ascii=False)
    for identifying in ["Ines", "Haverkamp", "AC-FHIR0001", "1971", "2026-03", "+44", "Nervous", "Notconsented"]:
        assert identifying not in text.replace(document["timestamp"], "")
    days = [p["extension"] for p in _resources(document, "Procedure")]
    assert [[e["valueInteger"] for e in extension] for extension in days] == [[1, 0], [2, 7]]


def test_the_research_export_refuses_without_the_key_or_for_a_patient_without_consent(tmp_path, patient, settings):
    refused = PatientFactory(research_consent=False)
    with pytest.raises(CommandError, match="has not consented to research use"):
        _export(tmp_path, "--research", "--patient", refused.patient_ref)
    with pytest.raises(CommandError, match="There is no patient AC-NOPE"):
        _export(tmp_path, "--patient", "AC-NOPE")
    settings.RESEARCH_EXPORT_KEY = ""
    with pytest.raises(CommandError, match="RESEARCH_EXPORT_KEY is not set"):
        _export(tmp_path, "--research")


def test_the_export_takes_the_same_queries_however_many_patients(tmp_path, patient, django_assert_max_num_queries):
    for _ in range(10):
        TreatmentSessionFactory(patient=PatientFactory(), instrument_answers={"pgic": 4})
    with django_assert_max_num_queries(6):
        _export(tmp_path)
