"""Writes to patients and intakes. Every write that must be all-or-nothing goes through here."""

import datetime
import uuid

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from clinic.lib.jobs import job_enqueue_with_transaction
from clinic.lib.roles import PRACTITIONERS
from patients.emails import intake_confirmation_send
from patients.models import (
    CONSENTS,
    ERASED_DETAILS,
    INTAKE_REVIEW_FIELDS,
    SAFETY_FLAGS,
    Condition,
    IntakeAnswerAccepted,
    IntakeSubmission,
    Patient,
    PatientErasure,
    erasure_reason_problem,
    new_patient_ref,
)
from patients.selectors import intake_differences

# How long a public intake waits for the patient table before it answers "busy, send again". A large
# CSV import holds that table for its whole length (sessions.importing.postgresql.BULK_CHECK_FROM_ROWS); without
# a limit the request would wait until the web server's timeout and lose the patient's answers.
INTAKE_LOCK_TIMEOUT = "5s"
# PostgreSQL's SQLSTATE for "lock not available" (lock_timeout ran out).
_LOCK_NOT_AVAILABLE = "55P03"


# A form sent again with identical answers within this time, from the browser that sent it (the back
# button re-fetches the page and gives it a fresh submission_key), is the same assessment.
INTAKE_RESEND_WINDOW = datetime.timedelta(minutes=30)


class IntakeBusy(Exception):
    """The patient table stayed locked (a large import is running); nothing was stored."""


# Filled in on a matching patient only where the record is still empty: staff may have corrected them.
_FILL_WHEN_EMPTY = ["sex", "phone", "complaint_duration", "medications", "history"]


def intake_submit(*, form_data, form_version, submission_key=None, sent_before=(), language=settings.LANGUAGE_CODE):
    """Store one free assessment and return `(submission, created)`.

    `form_data` is IntakeForm's cleaned_data. In one transaction: find the patient with the
    same email (any case) and date of birth, or create one with status "new"; store the answers
    as an IntakeSubmission snapshot. A submission that attaches to an existing patient changes
    nothing on that patient and is flagged `matched_existing_patient`: staff compare its answers
    with the record and accept them field by field (`intake_answers_accept`). Both cases answer
    alike: the sender gets the submission's own reference (`public_reference`) and the same email.

    A second call with the same `submission_key` (a double click) stores nothing and returns
    the first submission with `created` False. So does a call whose answers and form version
    are identical to one of `sent_before` (pks of the submissions the same browser sent, kept
    in its session) made for the same patient within INTAKE_RESEND_WINDOW: a resubmit after the
    back button, whose page came with a fresh key. Only the sender's own submissions count, so
    someone who types another person's answers never learns their patient reference. The
    confirmation email is a job committed with the submission, sent by the worker (patients.emails) in
    `language`, the one the form was shown in (a code of settings.LANGUAGES), which the submission keeps.
    """
    submission_key = submission_key or uuid.uuid4()
    earlier = _submission_with_key(submission_key)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [INTAKE_LOCK_TIMEOUT])
            answers = intake_answers(form_data)
            patient = _matching_patient(form_data["email"], form_data["date_of_birth"])
            if patient is not None:
                resent = _resent_submission(patient, answers, form_version, sent_before)
                if resent is not None:
                    return resent, False
            patient, matched = _intake_patient(form_data, patient)
            submission = IntakeSubmission.objects.create(
                patient=patient,
                answers=answers,
                form_version=form_version,
                submission_key=submission_key,
                matched_existing_patient=matched,
                language=language,
            )
            # A job for the worker, committed with the submission (or not at all).
            job_enqueue_with_transaction(intake_confirmation_send, submission_pk=submission.pk)
    except IntegrityError:
        # The same key committed by a concurrent request: this one rolled back entirely.
        earlier = _submission_with_key(submission_key)
        if earlier is None:
            raise
        return earlier, False
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise IntakeBusy from error
        raise
    return submission, True


def intake_answers(form_data):
    """Return the form's answers as JSON values: dates as ISO text, the condition as its slug."""
    answers = {}
    for name, value in form_data.items():
        if name in ("submission_key", "website"):
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "slug"):
            value = value.slug
        answers[name] = value
    return answers


def _submission_with_key(submission_key):
    # Reads the intake table only: the patient table may be held by an import (INTAKE_LOCK_TIMEOUT).
    return IntakeSubmission.objects.filter(submission_key=submission_key).first()


def _resent_submission(patient, answers, form_version, sent_before):
    """Return the submission among `sent_before` whose `answers` (intake_answers) these repeat, or None.

    The answers are compared in Python: JSON equality differs between PostgreSQL's jsonb (keys in
    any order) and SQLite's JSON text, and a browser has sent only a handful of submissions.
    """
    recent = IntakeSubmission.objects.filter(
        pk__in=list(sent_before),
        patient=patient,
        form_version=form_version,
        submitted_at__gte=timezone.now() - INTAKE_RESEND_WINDOW,
    ).order_by("submitted_at", "pk")
    return next((submission for submission in recent if submission.answers == answers), None)


def _matching_patient(email, date_of_birth):
    """Return the earliest patient with this email (any case) and date of birth, locked, or None.

    Call inside a transaction. On PostgreSQL an advisory lock on the email and birthday comes
    first, so two assessments from one person arriving at once are stored one after the other
    and the second finds the patient the first created.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(lower(%s) || '|' || %s))", [email, date_of_birth.isoformat()]
            )
    return (
        Patient.objects.select_for_update()
        .alias(email_lower=Lower("email"))
        .filter(email_lower=Lower(Value(email)), date_of_birth=date_of_birth)
        .order_by("created_at", "pk")
        .first()
    )


def _intake_patient(form_data, patient):
    """Return `(patient, matched)`: the saved patient for these answers and whether they existed.

    `patient` is the matching patient (`_matching_patient`), or None to create one.

    A new patient takes every answer, consent included. An existing one is left exactly as staff
    keep it, because the form is public and anyone could type someone else's email and birthday:
    nothing the answers say (safety flags, medications, contact details, consent) reaches the record
    until staff accept it from the submission (`intake_answers_accept`), which holds every answer.
    """
    if patient is not None:
        return patient, True

    now = timezone.now()
    patient = Patient(
        first_name=form_data["first_name"],
        last_name=form_data["last_name"],
        date_of_birth=form_data["date_of_birth"],
        email=form_data["email"],
        condition=form_data["condition"],
        status=Patient.Status.NEW,
        symptoms=list(form_data["symptoms"]),
        previous_acupuncture=form_data["previous_acupuncture"],
        **{field: form_data[field] for field in _FILL_WHEN_EMPTY},
        **{flag: form_data[flag] for flag in SAFETY_FLAGS},
    )
    for consent in CONSENTS:
        setattr(patient, consent, bool(form_data[consent]))
    patient.consents_settle(now=now)
    patient.save()
    return patient, False


def intake_answers_accept(*, submission, fields, accepted_by):
    """Copy the answers `fields` of `submission`, an intake that matched an existing patient, onto
    the patient's record, recording each with who and when (IntakeAnswerAccepted). Return the
    accepted rows.

    Only answers that still differ from the record are copied; consent times follow the consent
    rule; the patient's history shows the change with `accepted_by`. Raise ValidationError
    (code "not_matched") for an intake that created its patient, ("unknown_field") for a field
    the review does not cover, and ("unknown_condition") for a condition no longer in the catalogue.
    """
    unknown = sorted(set(fields) - set(INTAKE_REVIEW_FIELDS))
    if unknown:
        raise ValidationError("%(fields)s cannot be accepted.", code="unknown_field", params={"fields": unknown})
    if not submission.matched_existing_patient:
        raise ValidationError("This intake created its patient: there is nothing to accept.", code="not_matched")
    with transaction.atomic():
        patient = Patient.objects.select_for_update().select_related("condition").get(pk=submission.patient_id)
        submission.patient = patient
        differences = [d for d in intake_differences(submission=submission) if d.field in fields]
        for difference in differences:
            setattr(patient, difference.field, _record_value(difference.field, difference.answered))
        if not differences:
            return []
        patient.consents_settle(now=timezone.now())
        patient._change_reason = f"Accepted from intake {submission.public_reference}"
        patient.save()
        return IntakeAnswerAccepted.objects.bulk_create(
            IntakeAnswerAccepted(
                submission=submission,
                field=difference.field,
                before=difference.on_record,
                after=difference.answered,
                accepted_by=accepted_by,
            )
            for difference in differences
        )


def _record_value(field, answer):
    """Return the model value for an intake answer (intake_answers): the Condition for its slug."""
    if field == "condition":
        condition = Condition.objects.filter(slug=answer).first()
        if condition is None:
            raise ValidationError(
                "The condition %(slug)s is no longer in the catalogue.",
                code="unknown_condition",
                params={"slug": answer},
            )
        return condition
    if field == "symptoms":
        return list(answer or [])
    if field in ("sex", "phone", "complaint_duration", "medications", "history"):
        return answer or ""
    return answer


def patient_save(*, patient):
    """Save `patient` as staff edited them (admin), with each consent's time set by the consent rule."""
    patient.consents_settle(now=timezone.now())
    patient.save()
    return patient


def intakes_mark_reviewed(*, submissions, reviewed_by):
    """Record `reviewed_by` and now on the intakes in `submissions` not reviewed yet; return how many."""
    return submissions.filter(reviewed_at__isnull=True).update(reviewed_by=reviewed_by, reviewed_at=timezone.now())


def patients_assign_practitioner(*, patients, practitioner):
    """Make `practitioner` the one who treats each of `patients`; return how many changed.

    Each patient is saved on its own so the change appears in the patient's history with who
    made it. Raise ValidationError when `practitioner` is not in the Practitioners group.
    """
    if not practitioner.groups.filter(name=PRACTITIONERS).exists():
        raise ValidationError(
            "%(user)s is not in the %(group)s group.", params={"user": practitioner, "group": PRACTITIONERS}
        )
    changed = 0
    with transaction.atomic():
        for patient in patients.select_for_update().exclude(practitioner=practitioner):
            patient.practitioner = practitioner
            patient.save(update_fields=["practitioner", "updated_at"])
            changed += 1
    return changed


_REASON_PROBLEMS = {
    "required": "Give the reason for erasing these details.",
    "repeats_details": "The reason repeats a detail being erased (a name, email, phone or reference): "
    "describe the request without it.",
}


def erasure_reason_check(*, reason, patients):
    """Raise a coded ValidationError when `reason` cannot be kept for erasing each of `patients`."""
    for patient in patients:
        problem = erasure_reason_problem(reason, patient)
        if problem:
            raise ValidationError(_REASON_PROBLEMS[problem], code=problem)


def patient_details_erase(*, patient, erased_by, reason):
    """Erase `patient`'s personal details from the patient, their intake submissions and every row of
    their history, and record who erased them, when and why; return the PatientErasure.

    Part of sessions.services.patient_erase, which also erases the free text of their sessions: call
    that. ERASED_DETAILS go, with the contact consent and the intake answers; the year of birth is
    kept; the reference is replaced by a new one, so nothing outside the database points at the
    record any more. The condition, safety flags, research consent and everything clinical stay, so
    the cohort figures do not change. Call inside a transaction. Raise ValidationError (codes
    "required", "repeats_details") for a reason that cannot be kept.
    """
    erasure_reason_check(reason=reason, patients=[patient])
    now = timezone.now()
    birth_year = patient.date_of_birth.year if patient.date_of_birth else patient.birth_year
    old_ref, new_ref = patient.patient_ref, new_patient_ref()
    # Every earlier version first, then the patient, whose save adds a version that names the erasure.
    patient.audit_log.update(**ERASED_DETAILS, birth_year=birth_year, patient_ref=new_ref, history_change_reason=None)
    for field, value in ERASED_DETAILS.items():
        setattr(patient, field, value)
    patient.birth_year, patient.patient_ref, patient.personal_details_erased_at = birth_year, new_ref, now
    patient.contact_consent = False
    patient.consents_settle(now=now)
    patient._change_reason = "Personal details erased"
    patient.save()
    patient.intake_submissions.update(answers={})
    _admin_log_rename(patient_pk=patient.pk, shown_as=str(patient), old_ref=old_ref, new_ref=new_ref)
    return PatientErasure.objects.create(
        patient=patient, kind=PatientErasure.Kind.DETAILS_ERASED, erased_by=erased_by, erased_at=now, reason=reason
    )


def patient_delete(*, patient, deleted_by):
    """Delete `patient` (admin refuses one with intakes, sessions or plans) and every row of their
    history, which would otherwise keep their details; record who deleted a record, and when."""
    with transaction.atomic():
        pk, history = patient.pk, Patient.audit_log.filter(id=patient.pk)
        patient.delete()
        history.delete()  # with the row django-simple-history has just added for the deletion
        _admin_log_rename(patient_pk=pk, shown_as="Deleted patient")
        PatientErasure.objects.create(
            kind=PatientErasure.Kind.RECORD_DELETED, erased_by=deleted_by, reason="Record deleted in admin."
        )


def _admin_log_rename(*, patient_pk, shown_as, old_ref=None, new_ref=None):
    """Make Django admin's log show the patient as `shown_as`, and, given `old_ref`, their intakes,
    sessions and plans under `new_ref`: the log keeps each object named as it was when changed."""
    patient_type = ContentType.objects.get_for_model(Patient)
    LogEntry.objects.filter(content_type=patient_type, object_id=str(patient_pk)).update(object_repr=shown_as)
    if old_ref:
        renamed = Replace("object_repr", Value(old_ref), Value(new_ref))
        LogEntry.objects.filter(object_repr__contains=old_ref).update(object_repr=renamed)
