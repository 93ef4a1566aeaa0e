"""The password-reset email, sent by the worker so a slow or failing mail server never holds up the page.

The request only enqueues the job, naming the user by id; the worker reads their address and makes
the one-time link itself, so neither an address nor a reset token is stored in the job's row.
"""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from clinic.lib.jobs import job_enqueue_with_transaction
from clinic.lib.mail import mail_send_or_retry


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with the email handed to a background job instead of sent in the request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        job_enqueue_with_transaction(
            password_reset_send,
            user_pk=context["user"].pk,
            site={"domain": context["domain"], "site_name": context["site_name"], "protocol": context["protocol"]},
            templates=[subject_template_name, email_template_name, html_email_template_name],
            from_email=from_email,
        )


def password_reset_message(*, user, site, templates, from_email):
    to_email = getattr(user, user.get_email_field_name())
    subject_template, body_template, html_template = templates
    context = {
        **site,
        "email": to_email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = "".join(loader.render_to_string(subject_template, context).splitlines())
    message = EmailMultiAlternatives(subject, loader.render_to_string(body_template, context), from_email, [to_email])
    if html_template:
        message.attach_alternative(loader.render_to_string(html_template, context), "text/html")
    return message


@task()
def password_reset_send(*, user_pk, site, templates, from_email=None, attempt=1):
    """Email a password-reset link to an active user (a job; the link is made here, when it is sent)."""
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return "no active user"
    mail_send_or_retry(
        password_reset_message(user=user, site=site, templates=templates, from_email=from_email),
        label=f"Password reset for user {user_pk}",
        task=password_reset_send,
        attempt=attempt,
        user_pk=user_pk,
        site=site,
        templates=templates,
        from_email=from_email,
    )
    return "sent"
