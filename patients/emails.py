"""The emails the intake sends. They carry a first name and a reference, never health details."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def intake_confirmation_send(submission):
    """Email the patient that their assessment arrived, as plain text with an HTML alternative.

    A mail server that fails is logged (with the reference only) and otherwise ignored: the
    assessment is already stored and staff will be in touch either way.
    """
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
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any transport failure must not lose the patient's page
        logger.warning("Intake confirmation for %s not sent: %s", context["reference"], type(error).__name__)
