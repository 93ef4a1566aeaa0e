from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.access_audit import AccessRecordedAdmin
from clinic.lib.history import readable_history
from patients.admin import PatientAdmin
from patients.forms import ErasureForm
from patients.models import Patient
from sessions.admin_import import sessions_import_job_view, sessions_import_view
from sessions.models import Acupoint, AdverseEvent, Instrument, SessionAmendment, TreatmentSession
from sessions.selectors import sessions_with_answers_shown
from sessions.services import patients_erase


def _adverse_event_words(codes):
    return ", ".join(str(AdverseEvent(code).label) if code in AdverseEvent.values else code for code in codes) or "None"


SessionHistory = readable_history(adverse_events=_adverse_event_words)


@admin.register(Acupoint)
class AcupointAdmin(admin.ModelAdmin):
    list_display = ["code", "pinyin", "meridian", "pregnancy_caution"]
    list_filter = ["meridian", "pregnancy_caution"]
    search_fields = ["code", "pinyin"]


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """Outcome measures asked on the session form. PGIC is seeded; a clinic adds licensed ones itself.

    An instrument that has answers cannot be deleted (they would lose their meaning): deactivate it."""

    list_display = ["name", "code", "questionnaire", "scale_min", "scale_max", "active", "licence"]
    list_filter = ["active"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the key of stored answers: fixed once the instrument exists.
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and TreatmentSession.objects.filter(instrument_answers__has_key=obj.code).exists():
            return False
        return super().has_delete_permission(request, obj)


def workspace_url(name, *args):
    """Return the workspace page `name` (e.g. "session_edit"), or None where the site has no workspace."""
    try:
        return reverse(f"practice:{name}", args=args)
    except NoReverseMatch:
        return None


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

    @admin.display(description=_("changes (before → after)"))
    def changes_shown(self, amendment):
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} → {}",
            ((label, before, after) for label, before, after in amendment.change_rows()),
        )


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(AccessRecordedAdmin, SimpleHistoryAdmin):
    """Sessions, read-only: they are logged and corrected in the workspace, through session_log and
    session_correct, with the safety acknowledgements and the amendment rule. Admin links there."""

    list_display = ["patient", "number", "started_at", "spo2_pre", "spo2_post", "practitioner", "follow_up"]
    list_display_links = ["patient", "number"]
    list_select_related = ["patient", "practitioner"]
    list_filter = ["patient__condition", ("practitioner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["patient__patient_ref", "patient__first_name", "patient__last_name"]
    date_hierarchy = "started_at"
    list_per_page = 50
    # get_absolute_url points back into admin; there is no public page to view.
    view_on_site = False
    change_list_template = "admin/treatment_sessions/treatmentsession/change_list.html"
    change_form_template = "admin/treatment_sessions/treatmentsession/change_form.html"
    inlines = [SessionAmendmentInline]
    fieldsets = [
        (None, {"fields": ["patient", "number", "practitioner", "started_at", "workspace"]}),
        ("Points and needles", {"fields": ["points_shown", "needle_gauge_mm", "retention_minutes"]}),
        ("Readings", {"fields": ["spo2_pre", "spo2_post", "pulse_pre", "pulse_post", "follow_up"]}),
        (
            "What the patient reports",
            {"fields": ["warmth_change", "clarity_change", "answers_shown", "adverse_events_shown", "notes"]},
        ),
        ("Safety", {"fields": ["safety_acknowledgement_shown"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = [name for _, section in fieldsets for name in section["fields"]]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"

        def upload(request):
            return sessions_import_view(request, self)

        upload.csrf_exempt = True  # the upload view checks CSRF itself, after choosing how the file is stored

        def job(request, token):
            return sessions_import_job_view(request, self, token)

        return [
            path("import/", self.admin_site.admin_view(upload), name=name),
            path("import/<str:token>/", self.admin_site.admin_view(job), name=f"{name}_job"),
            *super().get_urls(),
        ]

    # Nobody adds, changes or deletes a session here: every session write goes through its service.
    def accessed_patient(self, session):
        return session.patient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("points")

    def get_historical_record_context_helper(self, request, historical_record):
        return SessionHistory(self.model, historical_record)

    # Words, not admin's boolean icons: a green tick for "needs following up" reads as "all is well".
    @admin.display(description=_("SpO₂ below 90%"))
    def follow_up(self, session):
        if session.needs_follow_up:
            return format_html('<span class="acuflow-badge acuflow-badge-danger">{}</span>', "Yes: follow up")
        return "No"

    @admin.display(description=_("points"))
    def points_shown(self, session):
        return " ".join(point.code for point in session.points.all()) or "–"

    @admin.display(description=_("adverse events"))
    def adverse_events_shown(self, session):
        return ", ".join(session.adverse_event_labels()) or "None"

    @admin.display(description=_("outcome measures"))
    def answers_shown(self, session):
        sessions_with_answers_shown(sessions=[session])
        return "; ".join(f"{name} {answer}" for name, answer in session.answers_shown) or "—"

    @admin.display(description=_("safety warnings acknowledged"))
    def safety_acknowledgement_shown(self, session):
        lines = session.safety_acknowledgement.splitlines()
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) if lines else "–"

    @admin.display(description=_("in the workspace"))
    def workspace(self, session):
        url = workspace_url("session_detail", session.patient.patient_ref, session.number)
        if url is None:
            return "–"
        return format_html('<a href="{}">Open this session in the workspace to correct it</a>', url)


class TreatmentSessionInline(admin.TabularInline):
    """The patient's sessions, read-only here: sessions are logged and corrected in the workspace."""

    model = TreatmentSession
    fields = ["number", "started_at", "practitioner", "spo2_pre", "spo2_post", "pulse_pre", "pulse_post"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]
    view_on_site = False

    def has_add_permission(self, request, obj):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient", "practitioner")


# The patient's page in admin lists their sessions: the patients app knows nothing of sessions,
# so this app extends its admin rather than the other way round.
admin.site.unregister(Patient)


@admin.register(Patient)
class PatientWithSessionsAdmin(PatientAdmin):
    inlines = [*PatientAdmin.inlines, TreatmentSessionInline]
    actions = ["erase_personal_details"]

    @admin.action(description=_("Erase personal details of the selected patients…"), permissions=["erase"])
    def erase_personal_details(self, request, queryset):
        """Ask why and for confirmation on an intermediate page, then erase (sessions.services.patients_erase)."""
        patients = queryset.filter(personal_details_erased_at__isnull=True)
        form = ErasureForm(request.POST if "apply" in request.POST else None, patients=patients)
        if form.is_valid():
            erased = patients_erase(patients=patients, erased_by=request.user, reason=form.cleaned_data["reason"])
            self.message_user(
                request,
                ngettext(
                    "Personal details of %(count)d patient erased; their clinical records stay, anonymous, under "
                    "new references. The erasure is recorded under Patient erasures.",
                    "Personal details of %(count)d patients erased; their clinical records stay, anonymous, under "
                    "new references. The erasure is recorded under Patient erasures.",
                    len(erased),
                )
                % {"count": len(erased)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase personal details",
            "opts": self.model._meta,
            "form": form,
            "patients": patients.select_related("condition"),
            "already_erased": queryset.count() - patients.count(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/patients/patient/erase_personal_details.html", context)

    def has_erase_permission(self, request):
        return request.user.has_perm("patients.erase_patient")
