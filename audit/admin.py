"""The access trail in admin, for the clinic lead: browse by patient and user, print one patient's report.

Entries are read-only for everyone, superusers included: no add, change or delete in admin.
"""

import auditlog.admin  # noqa: F401 - registers auditlog's own LogEntry admin, replaced below
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import RecordAccess
from clinic.lib.access_audit import access_record
from patients.models import Patient

admin.site.unregister(LogEntry)

# How the trail names the pages that record an access (their URL names).
PAGES = {
    "practice:patient_list": "Workspace: my patients",
    "practice:patient_detail": "Workspace: patient page",
    "practice:session_new": "Workspace: log a session",
    "practice:session_detail": "Workspace: session page",
    "practice:session_edit": "Workspace: correct a session",
    "practice:plan_new": "Workspace: start a plan",
    "admin:patients_patient_changelist": "Admin: patient list",
    "admin:patients_patient_change": "Admin: patient page",
    "admin:patients_patient_history": "Admin: patient history",
    "admin:patients_intakesubmission_changelist": "Admin: intake list",
    "admin:patients_intakesubmission_change": "Admin: intake page",
    "admin:treatment_sessions_treatmentsession_changelist": "Admin: session list",
    "admin:treatment_sessions_treatmentsession_change": "Admin: session page",
    "admin:treatment_sessions_treatmentsession_history": "Admin: session history",
    "admin:protocols_treatmentplan_changelist": "Admin: plan list",
    "admin:protocols_treatmentplan_change": "Admin: plan page",
    "admin:outcomes": "Admin: outcomes dashboard",
    "admin:audit_recordaccess_patient_report": "Admin: who accessed this record",
}


def page_label(entry):
    data = entry.additional_data or {}
    label = PAGES.get(data.get("page"), data.get("page") or "–")
    notes = [
        note
        for note, present in [
            ("refused: not their patient", data.get("refused")),
            ("including patients without consent", data.get("all_patients")),
            ("CSV download", data.get("download")),
        ]
        if present
    ]
    return f"{label} ({'; '.join(notes)})" if notes else label


def who(entry):
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.get_username()
    return (entry.additional_data or {}).get("user") or "–"


class PatientFilter(admin.SimpleListFilter):
    """One patient's entries, by their reference (the link from a patient's report or a row)."""

    title = "patient"
    parameter_name = "patient"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def queryset(self, request, queryset):
        return queryset.filter(object_repr=self.value()) if self.value() else queryset


@admin.register(RecordAccess)
class RecordAccessAdmin(admin.ModelAdmin):
    list_display = ["timestamp", "user", "patient", "page", "path", "remote_addr"]
    list_select_related = ["actor", "content_type"]
    list_filter = [PatientFilter, ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "actor__username", "actor__first_name", "actor__last_name"]
    search_help_text = "A patient's reference (AC-…) or a user's name."
    date_hierarchy = "timestamp"
    list_per_page = 100
    fields = ["timestamp", "user", "patient", "page", "path", "remote_addr"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.patient_report)
        return [
            path("patient/<int:patient_id>/report/", report, name="audit_recordaccess_patient_report"),
            *super().get_urls(),
        ]

    @admin.display(description=_("who"), ordering="actor__username")
    def user(self, entry):
        return who(entry)

    @admin.display(description=_("patient"), ordering="object_repr")
    def patient(self, entry):
        if not entry.object_pk:
            return "several (a list or the dashboard)"
        if entry.content_type.model_class() is not Patient:
            return entry.object_repr
        report = reverse("admin:audit_recordaccess_patient_report", args=[entry.object_pk])
        return format_html('<a href="{}">{}</a>', report, entry.object_repr)

    @admin.display(description=_("page"))
    def page(self, entry):
        return page_label(entry)

    @admin.display(description=_("address"))
    def path(self, entry):
        return (entry.additional_data or {}).get("path", "")

    def patient_report(self, request, patient_id):
        """Who accessed one patient's record, newest first, ready to print."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        patient = get_object_or_404(Patient, pk=patient_id)
        access_record(request, record=patient)
        entries = RecordAccess.objects.filter(
            content_type=ContentType.objects.get_for_model(Patient), object_pk=str(patient.pk)
        ).select_related("actor")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Who accessed the record of {patient.full_name}",
            "opts": self.opts,
            "patient": patient,
            "rows": [{"entry": entry, "who": who(entry), "page": page_label(entry)} for entry in entries],
        }
        return TemplateResponse(request, "admin/audit/patient_report.html", context)
