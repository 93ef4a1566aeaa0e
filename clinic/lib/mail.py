"""Sending email from a background job: a failing mail server is tried again later, never in a request."""

import logging

from clinic.lib.jobs import ATTEMPTS, job_retry_later

logger = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The mail server refused or could not be reached; the message names what was not sent, never an address."""


def mail_send_or_retry(message, *, label, task, attempt, **task_kwargs):
    """Send `message` (an EmailMessage); `label` names it in logs without personal data.

    When the mail server fails, enqueue `task` again with `task_kwargs` and `attempt` + 1 after a
    delay (clinic.lib.jobs.RETRY_DELAYS) and raise MailNotSent, so the job is recorded as failed;
    after the last attempt the failure is logged as an error. The mail server's own error is not
    kept: it can quote the recipient's address.
    """
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - every transport failure is retried the same way
        reason = type(error).__name__
        if job_retry_later(task, attempt=attempt, **task_kwargs):
            logger.warning("%s not sent (%s), attempt %d of %d: trying again later", label, reason, attempt, ATTEMPTS)
        else:
            logger.error("%s not sent (%s), attempt %d of %d: giving up", label, reason, attempt, ATTEMPTS)
        raise MailNotSent(f"{label} not sent ({reason}), attempt {attempt} of {ATTEMPTS}") from None
