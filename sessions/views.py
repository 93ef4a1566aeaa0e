"""The practitioner workspace: my patients, a patient's timeline, logging and correcting sessions."""

import logging
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from patients.models import Condition, Patient
from protocols.services import current_plan, plan_progress, plan_suggest, session_plan_differences
from sessions import selectors
from sessions.forms import OTHER_GAUGE, STANDARD_GAUGES, SessionForm
from sessions.models import Acupoint, TreatmentSession, session_is_freely_editable
from sessions.services import session_correct, session_log

logger = logging.getLogger(__name__)

PATIENTS_PER_PAGE = 25


def workspace_member_required(view):
    """Send anonymous users to sign in; answer 403 to anyone outside Practitioners and Clinic lead."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.user_is_workspace_member(request.user):
            return render(request, "sessions/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def get_visible_patient_or_404(request, patient_ref):
    """Return the patient `patient_ref` if the user may see them; 404 otherwise, logging another's patient."""
    patient = get_object_or_404(Patient.objects.select_related("condition", "practitioner"), patient_ref=patient_ref)
    if not selectors.user_may_see_patient(request.user, patient):
        # The reference is opaque: it identifies the record without saying anything about the person.
        logger.warning(
            "Workspace access refused: user %s asked for patient %s, who is not theirs (%s %s).",
            request.user.pk,
            patient_ref,
            request.method,
            request.resolver_match.url_name,
        )
        raise Http404("No such patient.")
    return patient


def _get_session(request, patient_ref, number):
    patient = get_visible_patient_or_404(request, patient_ref)
    session = get_object_or_404(TreatmentSession.objects.select_related("practitioner"), patient=patient, number=number)
    session.patient = patient
    return session


# The name search is kept in the session, never in the URL: URLs end up in access logs and
# browser history, and must carry opaque references only.
SEARCH_SESSION_KEY = "practice_search"


@workspace_member_required
def patient_list(request):
    conditions = list(Condition.objects.all())
    if request.method == "POST":
        request.session[SEARCH_SESSION_KEY] = request.POST.get("q", "").strip()[:100]
        filters = {key: request.POST.get(key, "") for key in ("condition", "status") if request.POST.get(key)}
        return redirect(f"{request.path}?{urlencode(filters)}" if filters else request.path)
    condition = next((c for c in conditions if c.slug == request.GET.get("condition")), None)
    status = request.GET.get("status") if request.GET.get("status") in Patient.Status.values else ""
    search = request.session.get(SEARCH_SESSION_KEY, "")
    patients = selectors.workspace_patient_list(user=request.user, search=search, condition=condition, status=status)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    filters.pop("q", None)
    return render(
        request,
        "sessions/patient_list.html",
        {
            "page": page,
            "conditions": conditions,
            "statuses": Patient.Status.choices,
            "search": search,
            "condition": condition,
            "status": status,
            "filter_query": filters.urlencode(),
            "sees_everyone": selectors.user_sees_every_patient(request.user),
        },
    )


@workspace_member_required
def patient_detail(request, patient_ref):
    patient = get_visible_patient_or_404(request, patient_ref)
    sessions = list(selectors.patient_sessions(patient))
    plan = current_plan(patient)
    if plan:
        plan_codes = {point.code for point in plan.points.all()}
        for session in sessions:
            session.plan_differences = session_plan_differences(session, plan, plan_codes)
    chart = {
        "numbers": [s.number for s in reversed(sessions)],
        "spo2_pre": [s.spo2_pre for s in reversed(sessions)],
        "spo2_post": [s.spo2_post for s in reversed(sessions)],
        "pulse_pre": [s.pulse_pre for s in reversed(sessions)],
        "pulse_post": [s.pulse_post for s in reversed(sessions)],
    }
    return render(
        request,
        "sessions/patient_detail.html",
        {
            "patient": patient,
            "sessions": sessions,
            "follow_ups": [s for s in sessions if s.needs_follow_up],
            "chart": chart,
            "plan": plan,
            "plan_progress": plan_progress(plan) if plan else None,
            "suggestion": None if plan else plan_suggest(patient),
        },
    )


def _form_page(request, template, form, patient, **context):
    return render(
        request,
        template,
        {
            "form": form,
            "patient": patient,
            "acupoints": Acupoint.objects.only("code", "pinyin", "meridian"),
            "caution_codes": selectors.pregnancy_caution_codes() if patient.pregnant else [],
            **context,
        },
    )


@workspace_member_required
def session_new(request, patient_ref):
    patient = get_visible_patient_or_404(request, patient_ref)
    plan = current_plan(patient)
    initial = _plan_initial(plan) if plan and request.GET.get("from_plan") else None
    form = SessionForm(request.POST or None, patient=patient, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_log(patient=patient, practitioner=request.user, **form.session_values())
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"Session {session.number} saved.")
            _warn_if_follow_up_needed(request, session)
            return redirect("practice:patient_detail", patient_ref=patient.patient_ref)
    return _form_page(
        request,
        "sessions/session_form.html",
        form,
        patient,
        next_number=selectors.next_session_number(patient),
        plan=plan,
        from_plan=initial is not None,
    )


def _plan_initial(plan):
    """Return the session form's starting values taken from `plan`: points, gauge and retention."""
    initial = {"points": " ".join(point.code for point in plan.points.all())}
    if plan.needle_gauge_mm is not None:
        gauge = f"{plan.needle_gauge_mm:.2f}"
        if gauge in STANDARD_GAUGES:
            initial["needle_gauge"] = gauge
        else:
            initial.update(needle_gauge=OTHER_GAUGE, needle_gauge_other=plan.needle_gauge_mm)
    if plan.retention_minutes is not None:
        initial["retention_minutes"] = plan.retention_minutes
    return initial


@workspace_member_required
def session_detail(request, patient_ref, number):
    session = _get_session(request, patient_ref, number)
    return render(
        request,
        "sessions/session_detail.html",
        {
            "session": session,
            "patient": session.patient,
            "amendments": session.amendments.select_related("changed_by"),
            "freely_editable": session_is_freely_editable(session, request.user),
        },
    )


@workspace_member_required
def session_edit(request, patient_ref, number):
    session = _get_session(request, patient_ref, number)
    reason_required = not session_is_freely_editable(session, request.user)
    form = SessionForm(request.POST or None, patient=session.patient, session=session, reason_required=reason_required)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = session_correct(
                session=session, user=request.user, reason=form.cleaned_data["reason"], **form.session_values()
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Session {session.number} updated." if amendment else "Nothing changed: the session is as it was.",
            )
            session.refresh_from_db()
            _warn_if_follow_up_needed(request, session)
            return redirect("practice:session_detail", patient_ref=patient_ref, number=number)
    return _form_page(
        request, "sessions/session_form.html", form, session.patient, session=session, reason_required=reason_required
    )


def _add_service_errors(form, error):
    """Show a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    for field, field_messages in (
        error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    ).items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _warn_if_follow_up_needed(request, session):
    if session.needs_follow_up:
        messages.warning(
            request,
            f"Session {session.number} has an SpO₂ reading below 90%: follow this patient up "
            "(recheck the reading, and consider referring them to their doctor).",
        )
