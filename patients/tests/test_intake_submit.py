"""intake_submit: one assessment becomes a patient record plus an untouched snapshot of the answers."""

import datetime
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.http import QueryDict
from django.utils import timezone

from patients.forms import INTAKE_FORM_VERSION, IntakeForm
from patients.models import SAFETY_FLAGS, IntakeSubmission, Patient
from patients.services import (
    INTAKE_RESEND_WINDOW,
    intake_submit,
    intakes_mark_reviewed,
    patients_assign_practitioner,
)
from patients.tests.factories import PatientFactory, UserFactory, intake_post_data

pytestmark = pytest.mark.django_db


def _cleaned(**overrides):
    form = IntakeForm(_as_querydict(intake_post_data(**overrides)))
    assert form.is_valid(), form.errors
    return form.cleaned_data


def _as_querydict(data):
    querydict = QueryDict(mutable=True)
    for key, value in data.items():
        querydict.setlist(key, value if isinstance(value, list) else [value])
    return querydict


def _submit(key=None, *, sent_before=(), form_version=INTAKE_FORM_VERSION, **overrides):
    return intake_submit(
        form_data=_cleaned(**overrides), form_version=form_version, submission_key=key, sent_before=sent_before
    )


def test_a_first_assessment_creates_a_new_patient_with_the_answers_as_fields():
    submission, created = _submit(uuid.uuid4(), blood_thinners="yes", metal_allergy="yes", research_consent="on")
    patient = submission.patient
    assert created
    assert (patient.first_name, patient.last_name, patient.email) == ("Ana", "Lopez", "ana.lopez@example.org")
    assert patient.date_of_birth == datetime.date(1980, 3, 31)
    assert patient.status == Patient.Status.NEW
    assert patient.condition.slug == "raynauds-phenomenon"
    assert patient.blood_thinners and patient.metal_allergy and not patient.pregnant
    assert patient.symptoms == ["cold_extremities", "numbness"]
    assert patient.complaint_duration == "1 to 5 years"
    assert patient.medications == "Amlodipine 5 mg"
    assert patient.previous_acupuncture is None
    assert patient.patient_ref.startswith("AC-")
    assert not submission.matched_existing_patient


def test_consent_is_stored_with_the_time_it_was_given():
    before = timezone.now()
    patient = _submit(research_consent="on")[0].patient
    assert patient.contact_consent and patient.research_consent
    assert before <= patient.contact_consent_at <= timezone.now()
    assert before <= patient.research_consent_at <= timezone.now()


def test_research_consent_left_unticked_is_stored_as_no_without_a_time():
    patient = _submit()[0].patient
    assert patient.research_consent is False and patient.research_consent_at is None


def test_the_snapshot_keeps_every_answer_and_the_form_version():
    submission, _ = _submit(first_name="Zoë", history="Line one\nLine two 🙂", pregnant="yes")
    submission.refresh_from_db()
    assert submission.form_version == INTAKE_FORM_VERSION
    assert submission.answers["first_name"] == "Zoë"
    assert submission.answers["history"] == "Line one\nLine two 🙂"
    assert submission.answers["date_of_birth"] == "1980-03-31"
    assert submission.answers["condition"] == "raynauds-phenomenon"
    assert submission.answers["pregnant"] is True and submission.answers["bleeding_disorder"] is False
    assert submission.answers["previous_acupuncture"] is None
    assert set(submission.answers) == set(IntakeForm.base_fields) - {"website", "submission_key"}


def test_the_same_email_in_any_case_and_birthday_attach_to_the_existing_patient():
    first, _ = _submit(uuid.uuid4())
    second, created = _submit(uuid.uuid4(), email="ANA.Lopez@Example.ORG", first_name="Anita")
    assert created
    assert second.patient == first.patient
    assert second.matched_existing_patient and not first.matched_existing_patient
    assert Patient.objects.count() == 1
    assert IntakeSubmission.objects.count() == 2
    assert second.answers["first_name"] == "Anita"


def test_a_patient_imported_with_capitals_in_the_email_is_matched():
    existing = PatientFactory(email="Ana.Lopez@Example.org", date_of_birth=datetime.date(1980, 3, 31))
    submission, _ = _submit()
    assert submission.patient == existing and submission.matched_existing_patient


def test_the_same_email_with_another_birthday_is_another_patient():
    first, _ = _submit(uuid.uuid4())
    second, _ = _submit(uuid.uuid4(), date_of_birth="1982-03-31", first_name="Sara")
    assert second.patient != first.patient
    assert not second.matched_existing_patient
    assert Patient.objects.count() == 2


def test_an_intake_matching_a_patient_changes_nothing_on_their_record():
    practitioner = UserFactory()
    existing = PatientFactory(
        email="ana.lopez@example.org",
        date_of_birth=datetime.date(1980, 3, 31),
        first_name="Ana",
        bleeding_disorder=True,
        medications="Warfarin",
        phone="",
        symptoms=["fatigue"],
        practitioner=practitioner,
        status=Patient.Status.ACTIVE,
        research_consent=False,
    )
    submission, _ = _submit(
        first_name="Someone",
        bleeding_disorder="no",
        pregnant="yes",
        medications="",
        phone="+44 1632 960000",
        condition="chronic-migraine",
        research_consent="on",
    )
    existing.refresh_from_db()
    assert submission.patient == existing
    assert existing.first_name == "Ana"
    assert existing.bleeding_disorder is True, "a public form never clears a safety warning"
    assert existing.pregnant is False, "nor sets one: staff accept it from the intake (intake_answers_accept)"
    assert (existing.medications, existing.phone, existing.symptoms) == ("Warfarin", "", ["fatigue"])
    assert existing.condition.slug == "chronic-fatigue-syndrome"
    assert existing.practitioner == practitioner and existing.status == Patient.Status.ACTIVE
    # Everything they typed is still there for staff to read.
    assert submission.answers["first_name"] == "Someone" and submission.answers["condition"] == "chronic-migraine"
    assert submission.answers["pregnant"] is True
    assert existing.audit_log.count() == 1, "the record's history shows no change"


def test_someone_typing_a_patient_s_email_and_birthday_cannot_opt_them_into_research():
    existing = PatientFactory(
        email="ana.lopez@example.org", date_of_birth=datetime.date(1980, 3, 31), research_consent=False
    )
    submission, _ = _submit(first_name="Mallory", research_consent="on")
    existing.refresh_from_db()
    assert existing.research_consent is False and existing.research_consent_at is None
    assert submission.answers["research_consent"] is True, "staff see what was asked for"


def test_a_returning_patient_cannot_withdraw_research_consent_by_leaving_the_box_unticked():
    consented_at = timezone.now() - datetime.timedelta(days=400)
    existing = PatientFactory(
        email="ana.lopez@example.org",
        date_of_birth=datetime.date(1980, 3, 31),
        research_consent=True,
        research_consent_at=consented_at,
    )
    _submit()
    existing.refresh_from_db()
    assert existing.research_consent and existing.research_consent_at == consented_at


def test_a_discharged_patient_who_comes_back_stays_discharged_until_staff_review():
    existing = PatientFactory(
        email="ana.lopez@example.org", date_of_birth=datetime.date(1980, 3, 31), status=Patient.Status.DISCHARGED
    )
    submission, _ = _submit()
    existing.refresh_from_db()
    assert existing.status == Patient.Status.DISCHARGED
    assert submission.matched_existing_patient and submission.reviewed_at is None


def test_submitting_the_same_form_twice_stores_it_once():
    key = uuid.uuid4()
    first, created_first = _submit(key)
    second, created_second = _submit(key, first_name="Changed")
    assert created_first and not created_second
    assert second == first
    assert Patient.objects.count() == 1 and IntakeSubmission.objects.count() == 1
    assert Patient.objects.get().first_name == "Ana"


def test_the_same_answers_sent_again_from_the_same_browser_are_stored_once(django_capture_on_commit_callbacks):
    """The back button re-fetches the form, so the second send carries a fresh key."""
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = _submit(uuid.uuid4(), pregnant="yes")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, created = _submit(uuid.uuid4(), pregnant="yes", sent_before=[first.pk])
    assert again == first and not created
    assert IntakeSubmission.objects.count() == 1 and Patient.objects.count() == 1
    assert callbacks == [], "no second confirmation email"


def test_a_resend_is_recognised_whatever_order_the_answers_come_back_in():
    first, _ = _submit(uuid.uuid4())
    IntakeSubmission.objects.filter(pk=first.pk).update(answers=dict(reversed(list(first.answers.items()))))
    again, created = _submit(uuid.uuid4(), sent_before=[first.pk])
    assert again == first and not created


def test_a_changed_answer_sent_after_the_back_button_is_a_new_assessment():
    first, _ = _submit(uuid.uuid4())
    for change in [{"history": "Fingers go white in the cold. And blue."}, {"symptoms": ["cold_extremities"]}]:
        second, created = _submit(uuid.uuid4(), sent_before=[first.pk], **change)
        assert created and second != first and second.matched_existing_patient
    assert IntakeSubmission.objects.count() == 3


def test_the_same_answers_from_another_browser_are_stored_and_reveal_no_reference():
    first, _ = _submit(uuid.uuid4())
    second, created = _submit(uuid.uuid4(), sent_before=[])
    assert created and second.matched_existing_patient
    assert second.public_reference.startswith("IN-") and second.public_reference != first.public_reference


def test_the_same_answers_sent_again_much_later_are_a_new_assessment():
    first, _ = _submit(uuid.uuid4())
    IntakeSubmission.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - INTAKE_RESEND_WINDOW - datetime.timedelta(minutes=1)
    )
    second, created = _submit(uuid.uuid4(), sent_before=[first.pk])
    assert created and second != first


def test_the_same_answers_to_another_version_of_the_form_are_a_new_assessment():
    first, _ = _submit(uuid.uuid4(), form_version="2025.9")
    second, created = _submit(uuid.uuid4(), sent_before=[first.pk])
    assert created and second != first


def test_a_resend_only_matches_the_same_person():
    first, _ = _submit(uuid.uuid4())
    second, created = _submit(uuid.uuid4(), email="sara.lopez@example.org", sent_before=[first.pk])
    assert created and second.patient != first.patient


def test_a_submission_without_a_key_is_still_stored():
    submission, created = _submit(None, submission_key=None)
    assert created and submission.submission_key is not None


def test_nothing_is_half_saved_when_the_snapshot_cannot_be_stored(monkeypatch):
    """The patient and the snapshot are written together or not at all."""
    from patients import services

    def broken_answers(form_data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "intake_answers", broken_answers)
    with pytest.raises(RuntimeError):
        _submit()
    assert not Patient.objects.exists() and not IntakeSubmission.objects.exists()


def test_mark_reviewed_records_who_and_when_and_keeps_an_earlier_reviewer():
    first_reviewer, second_reviewer = UserFactory(), UserFactory()
    done, _ = _submit(uuid.uuid4())
    intakes_mark_reviewed(submissions=IntakeSubmission.objects.filter(pk=done.pk), reviewed_by=first_reviewer)
    waiting, _ = _submit(uuid.uuid4(), email="other@example.org")
    marked = intakes_mark_reviewed(submissions=IntakeSubmission.objects.all(), reviewed_by=second_reviewer)
    assert marked == 1
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert done.reviewed_by == first_reviewer
    assert waiting.reviewed_by == second_reviewer and waiting.reviewed_at is not None


def test_only_a_practitioner_can_be_assigned(practitioner, front_desk):
    patient = _submit()[0].patient
    with pytest.raises(ValidationError):
        patients_assign_practitioner(patients=Patient.objects.all(), practitioner=front_desk)
    assert patients_assign_practitioner(patients=Patient.objects.all(), practitioner=practitioner) == 1
    patient.refresh_from_db()
    assert patient.practitioner == practitioner
    assert patient.audit_log.first().practitioner_id == practitioner.pk


def test_every_safety_flag_is_stored_as_its_own_field():
    answers = dict.fromkeys(SAFETY_FLAGS, "yes")
    patient = _submit(**answers)[0].patient
    assert patient.safety_flag_labels() == list(SAFETY_FLAGS.values())
    assert Patient.objects.filter(immunocompromised=True, needle_phobia=True).count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises all writes; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_assessments_from_one_person_arriving_at_once_make_one_patient():
    """Three copies of one form (a frantic double tap) and three separate forms, all at the same moment."""
    same_key = uuid.uuid4()
    keys = [same_key, same_key, same_key, uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]
    form_data = _cleaned()
    barrier = threading.Barrier(len(keys))
    results, failures = [], []

    def send(key):
        try:
            barrier.wait()
            results.append(intake_submit(form_data=form_data, form_version=INTAKE_FORM_VERSION, submission_key=key))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Patient.objects.count() == 1
    assert IntakeSubmission.objects.count() == 4
    assert sorted(created for _, created in results) == [False, False, True, True, True, True]
    assert len({submission.pk for submission, _ in results if submission.submission_key == same_key}) == 1
