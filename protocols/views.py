from django.contrib import messages
from django.shortcuts import redirect, render

from protocols.forms import PlanForm
from protocols.services import plan_start, plan_suggest
from sessions.selectors import pregnancy_caution_codes
from sessions.views import get_visible_patient_or_404, workspace_member_required


@workspace_member_required
def plan_new(request, patient_ref):
    """Show the suggested plan for the patient, adjustable, and start it once the practitioner confirms."""
    patient = get_visible_patient_or_404(request, patient_ref)
    suggestion = plan_suggest(patient)
    if suggestion is None:
        messages.info(request, f"There is no active protocol for {patient.condition.name} yet.")
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
        messages.success(request, f"Plan started: {suggestion.protocol.name}.")
        return redirect("practice:patient_detail", patient_ref=patient_ref)
    context = {
        "patient": patient,
        "suggestion": suggestion,
        "form": form,
        "caution_codes": pregnancy_caution_codes() if patient.pregnant else [],
    }
    return render(request, "protocols/plan_form.html", context)
