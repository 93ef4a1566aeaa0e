"""Reads about patients and intakes that span rows, or that other apps ask for."""

from dataclasses import dataclass

from django.db.models import Max
from django.db.models.functions import Concat

from patients.models import INTAKE_REVIEW_FIELDS, SAFETY_FLAGS, IntakeSubmission, Patient


@dataclass(frozen=True)
class AnswerDifference:
    """An answer of an intake that differs from the patient's record. Both values are in the answers'
    form (intake_answers): the condition as its slug, symptoms as a list of codes."""

    field: str
    on_record: object
    answered: object


def record_answer(patient, field):
    """Return `patient`'s `field` as the intake would have answered it."""
    if field == "condition":
        return patient.condition.slug
    return getattr(patient, field)


def _same(field, on_record, answered):
    if field == "email":
        return (on_record or "").lower() == (answered or "").lower()
    if field == "symptoms":
        return sorted(on_record or []) == sorted(answered or [])
    if isinstance(on_record, str) or isinstance(answered, str):
        return (on_record or "") == (answered or "")
    return on_record == answered


def intake_differences(*, submission):
    """Return the answers of `submission` that differ from its patient's record as it is now, in
    INTAKE_REVIEW_FIELDS order. Empty for an intake that created its patient: the record was made from it."""
    if not submission.matched_existing_patient:
        return []
    differences = []
    for field in INTAKE_REVIEW_FIELDS:
        if field not in submission.answers:
            continue
        on_record, answered = record_answer(submission.patient, field), submission.answers[field]
        if not _same(field, on_record, answered):
            differences.append(AnswerDifference(field, on_record, answered))
    return differences


def unconfirmed_safety_answers(*, patient):
    """Return [(submission, [flag, …])]: intakes awaiting review that answer yes to a safety question
    the record says no to, newest first. Practitioners see these before staff have accepted them."""
    pending = IntakeSubmission.objects.filter(
        patient=patient, matched_existing_patient=True, reviewed_at__isnull=True
    ).order_by("-submitted_at")
    found = []
    for submission in pending:
        flags = [flag for flag in SAFETY_FLAGS if submission.answers.get(flag) and not getattr(patient, flag)]
        if flags:
            found.append((submission, flags))
    return found


def research_consent_last_withdrawn():
    """Return when any patient last withdrew research consent, or None if nobody has.

    Published figures computed before then may count that patient; a cache of them must not outlive it.
    """
    return Patient.objects.aggregate(latest=Max("research_consent_withdrawn_at"))["latest"]


def with_family_first_name(queryset, *, path=""):
    """Return `queryset` with the alias `family_first_name`: the family name then the given name with no space
    between, as Chinese names are written (李 + 小龙 = 李小龙), so a search for a whole name finds it.
    `path` leads from the queryset's model to the patient ("patient__" for intakes)."""
    return queryset.alias(family_first_name=Concat(f"{path}last_name", f"{path}first_name"))
