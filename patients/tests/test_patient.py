import pytest
from django.db import IntegrityError, transaction

from patients.models import Condition, Patient, new_patient_ref
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_seven_conditions_are_seeded():
    assert list(Condition.objects.values_list("name", flat=True)) == [
        "Chronic Fatigue Syndrome",
        "Chronic Migraine",
        "Other",
        "Peripheral Artery Disease (mild)",
        "Post-Chemotherapy Fatigue",
        "Post-COVID Microvascular Dysfunction",
        "Raynaud's Phenomenon",
    ]


def test_patient_ref_is_unique_in_the_database():
    PatientFactory(patient_ref="AC-SAME")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(patient_ref="AC-SAME")


def test_new_patients_get_an_opaque_reference():
    patient = Patient.objects.create(first_name="Ana", last_name="Lopez", condition=Condition.objects.get(slug="other"))
    assert patient.patient_ref.startswith("AC-")
    assert "Ana" not in patient.patient_ref and len(patient.patient_ref) == 11
    assert new_patient_ref() != new_patient_ref()


def test_safety_flag_labels_list_only_the_flags_set():
    patient = PatientFactory(pregnant=True, metal_allergy=True)
    assert patient.safety_flag_labels() == ["Pregnant or possibly pregnant", "Metal allergy"]
    assert PatientFactory().safety_flag_labels() == []


def test_changes_to_a_patient_are_attributable():
    patient = PatientFactory(first_name="Ana")
    patient.first_name = "Anna"
    patient.save()
    assert [record.first_name for record in patient.audit_log.all()] == ["Anna", "Ana"]


@pytest.mark.parametrize("ref", ["ZZ/1", "-AC1", "a b", "x" * 33, "AC-1?"])
def test_a_reference_that_cannot_sit_in_a_url_is_refused(ref):
    from django.core.exceptions import ValidationError

    patient = PatientFactory.build(patient_ref=ref, condition=Condition.objects.get(slug="other"))
    with pytest.raises(ValidationError) as error:
        patient.full_clean()
    assert "patient_ref" in error.value.message_dict


def test_references_made_by_the_app_and_by_seed_demo_are_valid():
    for ref in [new_patient_ref(), "DEMO-000001", "IMPORT-2019-0042"]:
        PatientFactory.build(patient_ref=ref, condition=Condition.objects.get(slug="other")).full_clean(
            exclude=["practitioner"]
        )
