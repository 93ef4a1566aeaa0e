from django.contrib import admin
from django.db.models import F
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.access_audit import AccessRecordedAdmin
from protocols.forms import ProtocolAdminForm
from protocols.models import Protocol, TreatmentPlan


@admin.register(Protocol)
class ProtocolAdmin(SimpleHistoryAdmin):
    form = ProtocolAdminForm
    list_display = ["name", "slug", "planned_sessions", "interval_days", "version", "is_active"]
    list_filter = ["is_active", "conditions"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "conditions", "is_active", "version"]}),
        ("For patients", {"fields": ["public_description"]}),
        (
            "The course",
            {
                "fields": [
                    "planned_sessions",
                    "interval_days",
                    "points",
                    "needle_gauge_mm",
                    "retention_minutes",
                    "electrostimulation",
                    "practitioner_notes",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A changed protocol is a new version; plans keep the version they were based on.
        if change and form.changed_data:
            Protocol.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(AccessRecordedAdmin, SimpleHistoryAdmin):
    list_display = [
        "patient",
        "protocol",
        "protocol_version",
        "planned_sessions",
        "confirmed_by",
        "confirmed_at",
        "is_current",
    ]
    list_select_related = ["patient", "protocol", "confirmed_by"]
    list_filter = ["protocol", "is_current"]
    search_fields = ["patient__patient_ref", "patient__last_name"]
    # Every field read-only, the JSON lists in words: a plan is written only by plan_start, when a
    # practitioner confirms it in the workspace.
    exclude = ["removed_points", "cautions"]
    readonly_fields = [
        {"removed_points": "removed_points_shown", "cautions": "cautions_shown"}.get(f.name, f.name)
        for f in TreatmentPlan._meta.fields
        if f.name != "id"
    ]
    filter_horizontal = []

    @admin.display(description=_("points left out"))
    def removed_points_shown(self, plan):
        rows = ((removed.get("code", ""), removed.get("reason", "")) for removed in plan.removed_points)
        return format_html_join(mark_safe("<br>"), "{}: {}", rows) or "None"

    @admin.display(description=_("cautions"))
    def cautions_shown(self, plan):
        return format_html_join(mark_safe("<br>"), "{}", ((caution,) for caution in plan.cautions)) or "None"

    def accessed_patient(self, plan):
        return plan.patient

    def has_add_permission(self, request):
        return False  # plans are confirmed by a practitioner on the patient page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
