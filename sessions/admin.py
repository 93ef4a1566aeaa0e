from django.contrib import admin
from django.urls import path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from sessions.admin_views import sessions_import_view
from sessions.models import Acupoint, SessionAmendment, TreatmentSession
from sessions.services import session_insert


@admin.register(Acupoint)
class AcupointAdmin(admin.ModelAdmin):
    list_display = ["code", "pinyin", "meridian", "pregnancy_caution"]
    list_filter = ["meridian", "pregnancy_caution"]
    search_fields = ["code", "pinyin"]


class SessionAmendmentInline(admin.TabularInline):
    """Corrections made in the workspace: read-only, the original values stay visible."""

    model = SessionAmendment
    fields = ["changed_at", "changed_by", "reason", "changes_shown"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description="changes (before → after)")
    def changes_shown(self, amendment):
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} → {}",
            ((label, before, after) for label, before, after in amendment.change_rows()),
        )


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(SimpleHistoryAdmin):
    list_display = ["patient", "number", "started_at", "spo2_pre", "spo2_post", "practitioner", "follow_up"]
    list_display_links = ["patient", "number"]
    list_select_related = ["patient", "practitioner"]
    list_filter = ["patient__condition", ("practitioner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["patient__patient_ref", "patient__first_name", "patient__last_name"]
    date_hierarchy = "started_at"
    autocomplete_fields = ["patient", "points"]
    readonly_fields = ["number", "created_at", "updated_at"]
    list_per_page = 50
    # get_absolute_url points back into admin; there is no public page to view.
    view_on_site = False
    change_list_template = "admin/treatment_sessions/treatmentsession/change_list.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        view = self.admin_site.admin_view(lambda request: sessions_import_view(request, self))
        return [path("import/", view, name=name), *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        # Whose session it is, and who gave it, are fixed once it is logged.
        fixed = ["patient", "practitioner"] if obj else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def get_inlines(self, request, obj):
        # A new session has no corrections yet.
        return [SessionAmendmentInline] if obj else []

    @admin.display(description="SpO₂ < 90%", boolean=True)
    def follow_up(self, session):
        return session.needs_follow_up

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            session_insert(obj)
