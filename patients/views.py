from django.conf import settings
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from clinic.lib.outage import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, unavailable_response
from patients.forms import INTAKE_FORM_VERSION, IntakeForm
from patients.models import Condition, IntakeSubmission
from patients.ratelimit import email_key, rate_limit_hit
from patients.services import IntakeBusy, intake_submit

# Session key: {patient_ref: submission pk} for the assessments sent from this browser.
_SENT = "intake_sent"


@require_http_methods(["GET", "HEAD", "POST"])
def intake(request):
    if request.method != "POST":
        return render(request, "patients/intake_form.html", {"form": IntakeForm()})
    try:
        return _intake_post(request)
    except DATABASE_UNAVAILABLE:
        # Everything typed comes back, rendered without the request: its session and user live in the
        # database too. The form keeps its submission_key, so sending it again later stores it once.
        context = {
            "form": IntakeForm.unsaved(request.POST),
            "busy": True,
            "csrf_token": get_token(request),
            "clinic_name": settings.CLINIC_NAME,
        }
        return unavailable_response(render_to_string("patients/intake_form.html", context))


def _intake_post(request):
    retry_after = rate_limit_hit(request, scope="intake", rate=settings.INTAKE_RATE_LIMIT)
    if retry_after:
        return _rate_limited(request, retry_after)
    if request.POST.get(IntakeForm.HONEYPOT):
        return render(request, "patients/intake_received.html")

    form = IntakeForm(request.POST)
    if not form.is_valid():
        return render(request, "patients/intake_form.html", {"form": form})
    # Per address alone would let a flood through many addresses write to one person's inbox, and
    # stop a waiting room behind one address; per email too keeps both in check.
    retry_after = rate_limit_hit(
        request, scope="intake-email", rate=settings.INTAKE_EMAIL_RATE_LIMIT, key=email_key(form.cleaned_data["email"])
    )
    if retry_after:
        return _rate_limited(request, retry_after, per_email=True)
    try:
        submission, _ = intake_submit(
            form_data=form.cleaned_data,
            form_version=INTAKE_FORM_VERSION,
            submission_key=form.cleaned_data["submission_key"],
            sent_before=request.session.get(_SENT, {}).values(),
            language=request.LANGUAGE_CODE,
        )
    except IntakeBusy:
        # Everything typed comes back in the form; sending it again later stores it once.
        response = render(request, "patients/intake_form.html", {"form": form, "busy": True}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    ref = submission.public_reference
    request.session[_SENT] = {**request.session.get(_SENT, {}), ref: submission.pk}
    return redirect("patients:intake_thanks", ref=ref)


def _rate_limited(request, retry_after, per_email=False):
    context = {"minutes": -(-retry_after // 60), "per_email": per_email}
    response = render(request, "patients/rate_limited.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_safe
def intake_thanks(request, ref):
    """Show the thanks page only in the browser that sent the assessment: a reference alone
    (a guess, a shared link) must not reveal whose it is."""
    submission_pk = request.session.get(_SENT, {}).get(ref)
    if submission_pk is None:
        raise Http404
    submission = get_object_or_404(IntakeSubmission.objects.select_related("patient__condition"), pk=submission_pk)
    if submission.public_reference != ref:
        raise Http404
    # The concern they wrote about now; a returning patient's record may name an older one.
    condition = (
        Condition.objects.filter(slug=submission.answers.get("condition")).first() or submission.patient.condition
    )
    return render(
        request,
        "patients/intake_thanks.html",
        # The template adds the condition's typical course and articles (protocols and content template tags).
        {"reference": ref, "first_name": submission.answers.get("first_name", ""), "condition": condition},
    )
