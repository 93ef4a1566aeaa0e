from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from patients.models import SAFETY_FLAGS, Condition, IntakeSubmission, Patient
from sessions.models import TreatmentSession


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "patient_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(patient_count=Count("patients"))

    @admin.display(description="patients", ordering="patient_count")
    def patient_count(self, condition):
        return condition.patient_count


class TreatmentSessionInline(admin.TabularInline):
    """The patient's sessions, read-only here: sessions are logged and corrected on their own page."""

    model = TreatmentSession
    fields = ["number", "started_at", "practitioner", "spo2_pre", "spo2_post", "pulse_pre", "pulse_post"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request, obj):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient", "practitioner")


class SafetyFlagFilter(admin.SimpleListFilter):
    title = "safety flag"
    parameter_name = "safety_flag"

    def lookups(self, request, model_admin):
        return list(SAFETY_FLAGS.items())

    def queryset(self, request, queryset):
        if self.value() in SAFETY_FLAGS:
            return queryset.filter(**{self.value(): True})
        return queryset


def safety_badges(patient):
    """Render the patient's safety flags as red badges, or a dash when none is set."""
    labels = patient.safety_flag_labels()
    if not labels:
        return "–"
    return format_html_join(
        " ", '<span class="acuflow-badge acuflow-badge-danger">{}</span>', ((label,) for label in labels)
    )


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ["patient_ref", "full_name", "condition", "status", "practitioner", "safety", "created_at"]
    list_display_links = ["patient_ref", "full_name"]
    list_select_related = ["condition", "practitioner"]
    list_filter = [
        "status",
        "condition",
        ("practitioner", admin.RelatedOnlyFieldListFilter),
        SafetyFlagFilter,
        "research_consent",
        "is_demo",
    ]
    search_fields = ["patient_ref", "first_name", "last_name", "email"]
    readonly_fields = ["patient_ref", "created_at", "updated_at", "research_consent_at", "contact_consent_at"]
    inlines = [TreatmentSessionInline]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["patient_ref", "status", "condition", "practitioner"]}),
        ("About", {"fields": ["first_name", "last_name", "date_of_birth", "sex", "email", "phone"]}),
        ("Safety screen", {"fields": list(SAFETY_FLAGS)}),
        (
            "Health history",
            {"fields": ["complaint_duration", "symptoms", "previous_acupuncture", "medications", "history"]},
        ),
        (
            "Consent",
            {"fields": ["contact_consent", "contact_consent_at", "research_consent", "research_consent_at"]},
        ),
        ("Record", {"fields": ["is_demo", "created_at", "updated_at"]}),
    ]

    @admin.display(description="name", ordering="last_name")
    def full_name(self, patient):
        return patient.full_name

    @admin.display(description="safety flags")
    def safety(self, patient):
        return safety_badges(patient)


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(admin.ModelAdmin):
    """Intake answers are a snapshot of what the patient sent: never edited."""

    list_display = ["submitted_at", "patient", "form_version", "matched_existing_patient", "reviewed_at"]
    list_select_related = ["patient"]
    list_filter = ["matched_existing_patient", ("reviewed_at", admin.EmptyFieldListFilter)]
    search_fields = ["patient__patient_ref", "patient__first_name", "patient__last_name", "patient__email"]
    date_hierarchy = "submitted_at"
    readonly_fields = [
        "patient",
        "answers_table",
        "form_version",
        "submitted_at",
        "matched_existing_patient",
        "reviewed_by",
        "reviewed_at",
    ]
    exclude = ["answers", "submission_key"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="answers")
    def answers_table(self, submission):
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", ((key, value) for key, value in submission.answers.items())
        )
        return format_html("<table>{}</table>", rows)
