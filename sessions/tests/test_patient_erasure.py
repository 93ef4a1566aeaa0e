"""Erasing a patient's personal details (sessions.services.patients_erase, the admin action): the details
go from every table and every version; the clinical record stays, anonymous, and the figures with it."""

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db.models import Model

from patients.forms import INTAKE_FORM_VERSION, IntakeForm
from patients.models import IntakeSubmission, Patient, PatientErasure
from patients.services import intake_submit, patient_save
from patients.tests.factories import PatientFactory, intake_post_data
from sessions.models import Change, TreatmentSession
from sessions.outcomes import cohort_outcomes
from sessions.services import patients_erase, session_correct
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db

# What Ngozi typed and staff and practitioners wrote about her; none of it may survive anywhere.
DETAILS = ["Ngozi", "Okonkwo-Byrne", "ngozi.okonkwo@example.org", "7946 0123", "Warfarin 3 mg", "Mother of Ada"]
REASON = "Erasure requested by email, received 3 March"


def _ngozi(lead):
    form = IntakeForm(
        intake_post_data(
            first_name="Ngozi",
            last_name="Okonkwo-Byrne",
            email="ngozi.okonkwo@example.org",
            phone="+44 20 7946 0123",
            medications="Warfarin 3 mg",
            history="Mother of Ada, who also comes here.",
            date_of_birth="1971-06-14",
            research_consent="on",
        )
    )
    assert form.is_valid(), form.errors
    patient = intake_submit(form_data=form.cleaned_data, form_version=INTAKE_FORM_VERSION)[0].patient
    patient.practitioner = lead
    patient_save(patient=patient)  # another version of the record, with every detail in it
    first = TreatmentSessionFactory(patient=patient, practitioner=lead, number=1, notes="Ngozi felt warmer.")
    TreatmentSessionFactory(patient=patient, practitioner=lead, number=6, spo2_post=97, warmth_change=Change.BETTER)
    session_correct(session=first, user=lead, reason="Ngozi asked to add this", notes="Ngozi, Warfarin 3 mg")
    # What admin logs when staff change a record: each object as it was named then.
    LogEntry.objects.log_actions(user_id=lead.pk, queryset=[patient, first], action_flag=CHANGE, change_message="")
    return patient


def _every_stored_text():
    """Every value of every row of every table the project's models keep, as one text."""
    values = []
    for model in apps.get_models(include_auto_created=True):
        if issubclass(model, Model) and model._meta.managed:
            values.extend(str(row) for row in model._base_manager.values_list())
    return "\n".join(values)


def test_erasing_leaves_no_personal_detail_in_any_table_or_version(clinic_lead):
    patient = _ngozi(clinic_lead)
    old_ref = patient.patient_ref
    assert all(detail in _every_stored_text() for detail in DETAILS)

    patients_erase(patients=Patient.objects.filter(pk=patient.pk), erased_by=clinic_lead, reason=REASON)

    stored = _every_stored_text()
    assert [detail for detail in DETAILS if detail in stored] == []
    assert old_ref not in stored
    patient.refresh_from_db()
    assert patient.birth_year == 1971 and patient.date_of_birth is None
    assert patient.full_name == "Erased patient" and patient.personal_details_erased_at is not None
    assert IntakeSubmission.objects.get(patient=patient).answers == {}


def test_the_clinical_record_stays_and_the_cohort_figures_do_not_change(clinic_lead):
    ngozi = _ngozi(clinic_lead)
    for _ in range(5):
        other = PatientFactory(condition=ngozi.condition, research_consent=True)
        TreatmentSessionFactory(patient=other, number=1, spo2_pre=92)
        TreatmentSessionFactory(patient=other, number=6, spo2_post=95, warmth_change=Change.BETTER)
    before = cohort_outcomes()
    assert [row["patients"] for row in before] == [6]

    patients_erase(patients=Patient.objects.filter(pk=ngozi.pk), erased_by=clinic_lead, reason=REASON)

    assert cohort_outcomes() == before
    ngozi.refresh_from_db()
    assert ngozi.research_consent and ngozi.blood_thinners is False and ngozi.condition.slug == "raynauds-phenomenon"
    assert list(TreatmentSession.objects.filter(patient=ngozi).values_list("number", "spo2_post")) == [(1, 95), (6, 97)]


def test_the_erasure_is_recorded_with_who_when_and_why_and_nothing_erased(clinic_lead):
    patient = _ngozi(clinic_lead)
    [erasure] = patients_erase(patients=Patient.objects.filter(pk=patient.pk), erased_by=clinic_lead, reason=REASON)
    erasure = PatientErasure.objects.get(pk=erasure.pk)
    assert (erasure.patient, erasure.erased_by, erasure.reason) == (patient, clinic_lead, REASON)
    assert erasure.kind == PatientErasure.Kind.DETAILS_ERASED and erasure.erased_at is not None
    assert patient.audit_log.first().history_change_reason == "Personal details erased"


def test_a_reason_that_repeats_an_erased_detail_is_refused_and_nothing_is_erased(clinic_lead):
    patient = _ngozi(clinic_lead)
    with pytest.raises(ValidationError) as refused:
        patients_erase(patients=Patient.objects.filter(pk=patient.pk), erased_by=clinic_lead, reason="Ngozi asked")
    assert refused.value.code == "repeats_details"
    assert Patient.objects.get(pk=patient.pk).first_name == "Ngozi" and not PatientErasure.objects.exists()


def _action(client, patient, **fields):
    data = {"action": "erase_personal_details", "_selected_action": [patient.pk], **fields}
    return client.post("/admin/patients/patient/", data, follow=True)


def test_the_clinic_lead_erases_from_admin_after_giving_a_reason_and_confirming(client, clinic_lead):
    patient = _ngozi(clinic_lead)
    client.force_login(clinic_lead)

    confirmation = _action(client, patient)
    html = confirmation.content.decode()
    assert "Erase personal details" in html and "Ngozi Okonkwo-Byrne" in html
    assert "the year is kept" in html
    assert Patient.objects.get(pk=patient.pk).first_name == "Ngozi"

    unconfirmed = _action(client, patient, apply="1", reason=REASON)
    assert "This field is required." in unconfirmed.content.decode()
    assert Patient.objects.get(pk=patient.pk).first_name == "Ngozi"

    done = _action(client, patient, apply="1", reason=REASON, confirm="on")
    assert "Personal details of 1 patient erased" in done.content.decode()
    assert Patient.objects.get(pk=patient.pk).first_name == ""
    listed = client.get("/admin/patients/patienterasure/").content.decode()
    assert REASON in listed and "Personal details erased" in listed
    record = client.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()
    assert "Erased patient" in record and 'name="_save"' not in record  # shown, but not editable


def test_front_desk_is_not_offered_the_erasure(client, front_desk, clinic_lead):
    patient = _ngozi(clinic_lead)
    client.force_login(front_desk)
    assert "erase_personal_details" not in client.get("/admin/patients/patient/").content.decode()
    _action(client, patient, apply="1", reason=REASON, confirm="on")
    assert Patient.objects.get(pk=patient.pk).first_name == "Ngozi"


def test_deleting_a_patient_without_intakes_or_sessions_deletes_their_history_too(admin_client, admin_user):
    patient = PatientFactory(first_name="Zelda", email="zelda@example.org")
    patient_save(patient=patient)
    response = admin_client.post(f"/admin/patients/patient/{patient.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Patient.objects.exists() and not Patient.audit_log.exists()
    assert "Zelda" not in _every_stored_text()
    deletion = PatientErasure.objects.get()
    assert deletion.kind == PatientErasure.Kind.RECORD_DELETED and deletion.erased_by == admin_user
