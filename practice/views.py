"""The practitioner workspace: my patients, a patient's timeline, logging and correcting sessions, starting a plan."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from clinic.lib.access_audit import access_record
from patients.models import SAFETY_FLAGS, Condition, Patient
from patients.selectors import unconfirmed_safety_answers
from practice.access import get_visible_patient_or_404, user_sees_every_patient, workspace_member_required
from practice.forms import OTHER_GAUGE, STANDARD_GAUGES, PatientSearchForm, PlanForm, SessionForm
from practice.selectors import workspace_patient_list
from protocols.selectors import current_plan, plan_progress, plan_suggest, session_plan_differences
from protocols.services import plan_start
from sessions.models import Acupoint, TreatmentSession, session_is_freely_editable
from sessions.safety import CAUTION_POINTS, rules_for
from sessions.selectors import (
    next_session_number,
    patient_sessions,
    pregnancy_caution_codes,
    sessions_with_answers_shown,
)
from sessions.services import session_correct, session_log

PATIENTS_PER_PAGE = 25


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
        search = PatientSearchForm(request.POST)
        if search.is_valid():
            request.session[SEARCH_SESSION_KEY] = search.cleaned_data["q"]
        else:
            messages.error(request, _("Search not changed: %(errors)s") % {"errors": " ".join(search.errors["q"])})
        filters = {key: request.POST.get(key, "") for key in ("condition", "status") if request.POST.get(key)}
        return redirect(f"{request.path}?{urlencode(filters)}" if filters else request.path)
    condition = next((c for c in conditions if c.slug == request.GET.get("condition")), None)
    status = request.GET.get("status") if request.GET.get("status") in Patient.Status.values else ""
    # Checked again as read: a session may hold a search kept before searches were checked.
    search = PatientSearchForm.search_or_blank(request.session.get(SEARCH_SESSION_KEY, ""))
    patients = workspace_patient_list(user=request.user, search=search, condition=condition, status=status)
    access_record(request, record=Patient)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    filters.pop("q", None)
    return render(
        request,
        "practice/patient_list.html",
        {
            "page": page,
            "conditions": conditions,
            "statuses": Patient.Status.choices,
            "search": search,
            "condition": condition,
            "status": status,
            "filter_query": filters.urlencode(),
            "sees_everyone": user_sees_every_patient(user=request.user),
        },
    )


@workspace_member_required
def patient_detail(request, patient_ref):
    patient = get_visible_patient_or_404(request, patient_ref)
    sessions = sessions_with_answers_shown(sessions=list(patient_sessions(patient=patient)))
    plan = current_plan(patient=patient)
    if plan:
        plan_codes = {point.code for point in plan.points.all()}
        for session in sessions:
            session.plan_differences = session_plan_differences(session=session, plan=plan, plan_codes=plan_codes)
    chart = {
        "numbers": [s.number for s in reversed(sessions)],
        "spo2_pre": [s.spo2_pre for s in reversed(sessions)],
        "spo2_post": [s.spo2_post for s in reversed(sessions)],
        "pulse_pre": [s.pulse_pre for s in reversed(sessions)],
        "pulse_post": [s.pulse_post for s in reversed(sessions)],
        "pgic": [s.pgic for s in reversed(sessions)],
    }
    return render(
        request,
        "practice/patient_detail.html",
        {
            "patient": patient,
            "sessions": sessions,
            "follow_ups": [s for s in sessions if s.needs_follow_up],
            "chart": chart,
            "chart_has_pgic": any(answer is not None for answer in chart["pgic"]),
            "plan": plan,
            "plan_progress": plan_progress(plan=plan) if plan else None,
            "suggestion": None if plan else plan_suggest(patient=patient),
            "unconfirmed_safety": [
                (submission, [SAFETY_FLAGS[flag] for flag in flags])
                for submission, flags in unconfirmed_safety_answers(patient=patient)
            ],
        },
    )


def _safety_context(patient):
    """What the safety notice above a form needs: the rules that apply, and the caution points they name."""
    rules = rules_for(patient=patient)
    names_points = any(rule.concerns == CAUTION_POINTS for rule in rules)
    return {"safety_rules": rules, "caution_codes": pregnancy_caution_codes() if names_points else []}


def _form_page(request, template, form, patient, **context):
    return render(
        request,
        template,
        {
            "form": form,
            "patient": patient,
            # Plain values, not 361 model instances: the picker's list is most of the page's rendering, and
            # the template reads a dict's keys faster than a model's attributes (half the page's time).
            "acupoints": Acupoint.objects.values("code", "pinyin", "meridian"),
            **_safety_context(patient),
            **context,
        },
    )


@workspace_member_required
def session_new(request, patient_ref):
    patient = get_visible_patient_or_404(request, patient_ref)
    plan = current_plan(patient=patient)
    initial = _plan_initial(plan) if plan and request.GET.get("from_plan") else None
    form = SessionForm(request.POST or None, patient=patient, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_log(patient=patient, practitioner=request.user, **form.session_values())
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            # A reading below 90 % is announced once, by the follow-up warning on the page it lands on.
            messages.success(request, _("Session %(number)s saved.") % {"number": session.number})
            return redirect("practice:patient_detail", patient_ref=patient.patient_ref)
    return _form_page(
        request,
        "practice/session_form.html",
        form,
        patient,
        next_number=next_session_number(patient=patient),
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
    sessions_with_answers_shown(sessions=[session])
    return render(
        request,
        "practice/session_detail.html",
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
                _("Session %(number)s updated.") % {"number": session.number}
                if amendment
                else _("Nothing changed: the session is as it was."),
            )
            return redirect("practice:session_detail", patient_ref=patient_ref, number=number)
    return _form_page(
        request, "practice/session_form.html", form, session.patient, session=session, reason_required=reason_required
    )


def _add_service_errors(form, error):
    """Show a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    for field, field_messages in (
        error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    ).items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@workspace_member_required
def plan_new(request, patient_ref):
    """Show the suggested plan for the patient, adjustable, and start it once the practitioner confirms."""
    patient = get_visible_patient_or_404(request, patient_ref)
    suggestion = plan_suggest(patient=patient)
    if suggestion is None:
        messages.info(
            request, _("There is no active protocol for %(condition)s yet.") % {"condition": patient.condition.name}
        )
        return redirect("practice:patient_detail", patient_ref=patient_ref)
    initial = {
        "points": " ".join(point.code for point in suggestion.points),
        "planned_sessions": suggestion.planned_sessions,
        "interval_days": suggestion.interval_days,
        "needle_gauge_mm": suggestion.protocol.needle_gauge_mm,
        "retention_minutes": suggestion.protocol.retention_minutes,
        "electrostimulation": suggestion.electrostimulation,
    }
    form = PlanForm(request.POST or None, initial=initial, patient=patient)
    if request.method == "POST" and form.is_valid():
        plan_start(
            patient=patient,
            protocol=suggestion.protocol,
            confirmed_by=request.user,
            removed_points=suggestion.removed_points,
            cautions=suggestion.cautions,
            **form.plan_values(),
        )
        messages.success(request, _("Plan started: %(protocol)s.") % {"protocol": suggestion.protocol.name})
        return redirect("practice:patient_detail", patient_ref=patient_ref)
    context = {"patient": patient, "suggestion": suggestion, "form": form, **_safety_context(patient)}
    return render(request, "practice/plan_form.html", context)
