"""The emails the intake sends. They carry a first name and a reference, never health details.

They are sent by the worker (a background job), so a slow or failing mail server never slows
down or breaks the patient's request; a failure is tried again later (clinic.lib.mail).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from clinic.lib.mail import mail_send_or_retry
from patients.models import IntakeSubmission


def intake_confirmation_message(submission):
    """Return the email telling the patient their assessment arrived, in the language they filled the form in:
    plain text with an HTML alternative."""
    with translation.override(submission.language):
        return _confirmation(submission)


def _confirmation(submission):
    answers = submission.answers
    # What was typed and the submission's own reference, whether or not the sender is already a patient:
    # the same text either way, so the email tells nobody that a record exists. (The address matched the
    # record's, any case, when the intake attached to one.)
    context = {
        "first_name": answers["first_name"],
        "reference": submission.public_reference,
        "clinic_name": settings.CLINIC_NAME,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("patients/emails/intake_confirmation_subject.txt", context).strip(),
        body=render_to_string("patients/emails/intake_confirmation.txt", context),
        to=[answers["email"]],
    )
    message.attach_alternative(render_to_string("patients/emails/intake_confirmation.html", context), "text/html")
    return message


@task()
def intake_confirmation_send(*, submission_pk, attempt=1):
    """Email the patient that their assessment arrived (a job, enqueued with the submission)."""
    submission = IntakeSubmission.objects.select_related("patient").filter(pk=submission_pk).first()
    if submission is None:  # removed before the worker got to it: nobody to write to
        return "no submission"
    mail_send_or_retry(
        intake_confirmation_message(submission),
        label=f"Intake confirmation for {submission.patient.patient_ref}",
        task=intake_confirmation_send,
        attempt=attempt,
        submission_pk=submission_pk,
    )
    return "sent"
