import re
import uuid

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.access_audit import AccessRecordedAdmin
from clinic.lib.history import readable_history
from patients.forms import (
    PREVIOUS_ACUPUNCTURE_WORDS,
    AssignPractitionerForm,
    IntakeForm,
    PatientAdminForm,
    symptom_words,
)
from patients.models import (
    INTAKE_REF_DIGITS,
    INTAKE_REF_PREFIX,
    SAFETY_FLAGS,
    SAFETY_FLAGS_SHORT,
    Condition,
    IntakeSubmission,
    Patient,
    PatientErasure,
)
from patients.selectors import intake_differences, with_family_first_name
from patients.services import (
    intake_answers_accept,
    intakes_mark_reviewed,
    patient_delete,
    patient_save,
    patients_assign_practitioner,
)


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "patient_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(patient_count=Count("patients"))

    @admin.display(description=_("patients"), ordering="patient_count")
    def patient_count(self, condition):
        return condition.patient_count


class SafetyFlagFilter(admin.SimpleListFilter):
    title = "safety flag"
    parameter_name = "safety_flag"
    # The path from the listed model to the patient ("" when the list is of patients).
    patient_path = ""

    def lookups(self, request, model_admin):
        return list(SAFETY_FLAGS.items())

    def queryset(self, request, queryset):
        if self.value() in SAFETY_FLAGS:
            return queryset.filter(**{self.patient_path + self.value(): True})
        return queryset


def safety_badges(patient):
    """Render the patient's safety flags as compact red badges (the full words for screen readers and
    on hover), or a dash when none is set."""
    flags = [(SAFETY_FLAGS_SHORT[field], label) for field, label in SAFETY_FLAGS.items() if getattr(patient, field)]
    if not flags:
        return "–"
    return format_html_join(
        " ",
        '<span class="acuflow-badge acuflow-badge-danger" title="{1}"><span aria-hidden="true">{0}</span>'
        '<span class="visually-hidden">{1}</span></span>',
        flags,
    )


class IntakeSubmissionInline(admin.TabularInline):
    """The patient's free assessments, newest first; open one to read the answers."""

    model = IntakeSubmission
    fields = ["submitted_at", "form_version", "matched_existing_patient", "reviewed_by", "reviewed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "free assessments"

    def has_add_permission(self, request, obj):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient", "reviewed_by")


PatientHistory = readable_history(symptoms=symptom_words, previous_acupuncture=PREVIOUS_ACUPUNCTURE_WORDS.get)


@admin.register(Patient)
class PatientAdmin(AccessRecordedAdmin, SimpleHistoryAdmin):
    form = PatientAdminForm
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
    # family_first_name: a whole Chinese name, 李小龙 (patients.selectors.with_family_first_name).
    search_fields = ["patient_ref", "first_name", "last_name", "family_first_name", "email"]
    readonly_fields = [
        "patient_ref",
        "created_at",
        "updated_at",
        "research_consent_at",
        "research_consent_withdrawn_at",
        "contact_consent_at",
        "birth_year",
        "personal_details_erased_at",
    ]
    inlines = [IntakeSubmissionInline]
    list_per_page = 50
    # get_absolute_url points back into admin; there is no public page to view.
    view_on_site = False

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, with_family_first_name(queryset), search_term)

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
            {
                "fields": [
                    "contact_consent",
                    "contact_consent_at",
                    "research_consent",
                    "research_consent_at",
                    "research_consent_withdrawn_at",
                ],
                "description": "Withdrawing research consent takes the patient out of every published figure from "
                "now on: the article tables, the dashboard's download and research exports. Figures published or "
                "downloaded before cannot be recalled.",
            },
        ),
        ("Record", {"fields": ["is_demo", "created_at", "updated_at", "birth_year", "personal_details_erased_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        patient_save(patient=obj)

    def get_historical_record_context_helper(self, request, historical_record):
        return PatientHistory(self.model, historical_record)

    def get_fieldsets(self, request, obj=None):
        """Those who may read the access trail get a link to this record's "who accessed it" report."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not request.user.has_perm("audit.view_recordaccess"):
            return fieldsets
        return [*fieldsets, ("Access", {"fields": ["access_report"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "access_report"]

    @admin.display(description=_("who accessed this record"))
    def access_report(self, patient):
        url = reverse("admin:audit_recordaccess_patient_report", args=[patient.pk])
        return format_html('<a href="{}">Who accessed this record: the report to print</a>', url)

    def has_change_permission(self, request, obj=None):
        # An erased record keeps only what is clinical; nobody types details back into it.
        if obj is not None and obj.personal_details_erased_at:
            return False
        return super().has_change_permission(request, obj)

    def delete_model(self, request, obj):
        patient_delete(patient=obj, deleted_by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for patient in queryset:
                patient_delete(patient=patient, deleted_by=request.user)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, patient):
        return patient.full_name

    @admin.display(description=_("safety flags"))
    def safety(self, patient):
        return safety_badges(patient)


class IntakeSafetyFlagFilter(SafetyFlagFilter):
    patient_path = "patient__"


class PatientStatusFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "patient status"


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting review"), ("done", "Reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(reviewed_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(reviewed_at__isnull=False)
        return queryset


def _answer_text(name, value, conditions):
    if name == "previous_acupuncture":
        return PREVIOUS_ACUPUNCTURE_WORDS[value]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "" or value == []:
        return "–"
    if name == "symptoms":
        return symptom_words(value)
    if name == "condition":
        return conditions.get(value, value)
    if name == "sex":
        return Patient.Sex(value).label if value in Patient.Sex.values else value
    return value


def _field_label(name):
    """The record's name for a patient field, as staff read it: "Pregnant or possibly pregnant", "Phone"."""
    label = str(Patient._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _submission_key_range(reference):
    """Return the `(lowest, highest)` submission keys an intake reference such as `IN-5B80CEC337` stands for.

    The prefix "IN-" is optional and case does not matter; without it the 10 hex digits a reference
    carries are needed, so that a short name made of hex letters ("Abe", "Dee") matches no key.
    Return None when `reference` is not one. A range on the UUID works on SQLite (hex text) and
    PostgreSQL (uuid) alike and uses the key's index, where a text prefix match would need a cast.
    """
    typed = reference.strip().upper()
    digits = typed.removeprefix(INTAKE_REF_PREFIX)
    shortest = INTAKE_REF_DIGITS if digits == typed else 1
    if not shortest <= len(digits) <= 32 or not re.fullmatch(r"[0-9A-F]+", digits):
        return None
    return uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "F"))


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(AccessRecordedAdmin, admin.ModelAdmin):
    """Staff review of the free assessments: the ones awaiting review first, newest first.

    Intake answers are a snapshot of what the patient sent: never edited.
    """

    # The columns front desk decides by, narrow enough to fit beside admin's menu and filters at 1440 px.
    list_display = ["submitted", "reference", "name", "review", "safety", "condition", "practitioner"]
    list_display_links = ["submitted", "reference"]
    list_select_related = ["patient__condition", "patient__practitioner", "reviewed_by"]
    list_filter = [
        ReviewFilter,
        ("patient__status", PatientStatusFilter),
        IntakeSafetyFlagFilter,
        "matched_existing_patient",
        "language",
        ("patient__practitioner", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "patient__patient_ref",
        "patient__first_name",
        "patient__last_name",
        "family_first_name",
        "patient__email",
    ]
    ordering = [F("reviewed_at").desc(nulls_first=True), "-submitted_at"]
    date_hierarchy = "submitted_at"
    actions = ["mark_reviewed", "assign_practitioner"]
    list_per_page = 50
    readonly_fields = [
        "patient",
        "sender_reference",
        "safety",
        "differences",
        "answers_table",
        "language",
        "form_version",
        "submitted_at",
        "matched",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = readonly_fields

    def accessed_patient(self, submission):
        return submission.patient

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_assign_permission(self, request):
        return request.user.has_perm("patients.change_patient")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing here is edited: the page offers "Mark as reviewed" instead of "Save".
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Never write the snapshot back; the only change staff make here is marking it reviewed."""

    def response_change(self, request, obj):
        if "_accept_answers" in request.POST and self.has_accept_permission(request):
            self._accept_answers(request, obj)
            return HttpResponseRedirect(request.path)
        if "_mark_reviewed" in request.POST:
            self.mark_reviewed(request, IntakeSubmission.objects.filter(pk=obj.pk))
            return HttpResponseRedirect(reverse("admin:patients_intakesubmission_changelist"))
        return super().response_change(request, obj)

    def has_accept_permission(self, request):
        return request.user.has_perm("patients.change_patient")

    def _accept_answers(self, request, submission):
        fields = request.POST.getlist("accept")
        if not fields:
            self.message_user(request, gettext("Tick the answers to copy onto the record first."), messages.WARNING)
            return
        try:
            accepted = intake_answers_accept(submission=submission, fields=fields, accepted_by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        labels = ", ".join(_field_label(row.field) for row in accepted)
        labels = labels or gettext("nothing (the record already agreed)")
        self.message_user(
            request,
            gettext("Copied onto %(name)s's record: %(labels)s.")
            % {"name": submission.patient.full_name, "labels": labels},
            messages.SUCCESS,
        )

    def get_search_results(self, request, queryset, search_term):
        """Also find an intake by the reference its sender was given (`IN-…`), and by a whole Chinese name."""
        named = with_family_first_name(queryset, path="patient__")
        found, may_have_duplicates = super().get_search_results(request, named, search_term)
        key_range = _submission_key_range(search_term)
        if key_range is not None:
            found |= queryset.filter(submission_key__range=key_range)
        return found, may_have_duplicates

    @admin.display(description=_("matched an existing patient"))
    def matched(self, submission):
        if submission.matched_existing_patient:
            return "Yes: attached to a patient who already had a record. Check the details against the answers."
        return "No: a new patient record was made from these answers."

    @admin.display(description=_("sender's reference"))
    def sender_reference(self, submission):
        return submission.public_reference

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, submission):
        when = localtime(submission.submitted_at)
        return format_html(
            '<span class="acuflow-nowrap">{}</span> <span class="acuflow-nowrap">{}</span>',
            date_format(when, "j M Y"),
            date_format(when, "H:i"),
        )

    @admin.display(description=_("reference"), ordering="patient__patient_ref")
    def reference(self, submission):
        """The patient's reference, and under it the reference the sender was given (the submission's own)."""
        ref = submission.patient.patient_ref
        return format_html('{}<br><span class="acuflow-quiet">sent as {}</span>', ref, submission.public_reference)

    @admin.display(description=_("name"), ordering="patient__last_name")
    def name(self, submission):
        return submission.patient.full_name

    @admin.display(description=_("condition"), ordering="patient__condition__name")
    def condition(self, submission):
        return submission.patient.condition

    @admin.display(description=_("safety flags"))
    def safety(self, submission):
        return safety_badges(submission.patient)

    @admin.display(description=_("practitioner"), ordering="patient__practitioner__last_name")
    def practitioner(self, submission):
        practitioner = submission.patient.practitioner
        if practitioner is None:
            return "–"
        return practitioner.get_full_name() or practitioner.username

    @admin.display(description=_("review"), ordering="reviewed_at")
    def review(self, submission):
        matched = (
            mark_safe(' <span class="acuflow-badge acuflow-badge-warning">Existing patient: check details</span>')  # noqa: S308 - a constant
            if submission.matched_existing_patient
            else ""
        )
        if submission.reviewed_at is None:
            return format_html('<span class="acuflow-badge acuflow-badge-danger">New</span>{}', matched)
        reviewer = submission.reviewed_by.get_full_name() or submission.reviewed_by.username
        return format_html(
            "Reviewed by {} on {}{}", reviewer, date_format(localtime(submission.reviewed_at), "j M Y"), matched
        )

    @admin.display(description=_("differs from the record"))
    def differences(self, submission):
        """What this intake says that the patient's record does not, beside it, each with a box to accept it."""
        if not submission.matched_existing_patient:
            return "– (this intake created the record)"
        conditions = dict(Condition.objects.values_list("slug", "name"))
        accepted = format_html_join(
            "",
            "<li>{} accepted by {} on {}: {} → {}</li>",
            (
                (
                    _field_label(row.field),
                    row.accepted_by.get_full_name() or row.accepted_by.username,
                    date_format(localtime(row.accepted_at), "j M Y H:i"),
                    _answer_text(row.field, row.before, conditions),
                    _answer_text(row.field, row.after, conditions),
                )
                for row in submission.accepted_answers.select_related("accepted_by")
            ),
        )
        differences = intake_differences(submission=submission)
        if not differences:
            table = mark_safe("<p>Every answer agrees with the record.</p>")  # noqa: S308 - a constant
        else:
            rows = format_html_join(
                "",
                '<tr><th scope="row">{}</th><td>{}</td><td>{}</td>'
                '<td><input type="checkbox" name="accept" value="{}" id="accept-{}" aria-label="Accept {}"></td></tr>',
                (
                    (
                        _field_label(d.field),
                        _answer_text(d.field, d.on_record, conditions),
                        _answer_text(d.field, d.answered, conditions),
                        d.field,
                        d.field,
                        _field_label(d.field),
                    )
                    for d in differences
                ),
            )
            table = format_html(
                '<table class="acuflow-differences"><thead><tr><th scope="col">Question</th>'
                '<th scope="col">On the record</th><th scope="col">In this assessment</th>'
                '<th scope="col">Accept</th></tr></thead><tbody>{}</tbody></table>'
                '<p><input type="submit" name="_accept_answers" value="Copy the ticked answers onto the record"></p>',
                rows,
            )
        return format_html("{}{}", table, format_html("<ul>{}</ul>", accepted) if accepted else "")

    @admin.display(description=_("answers"))
    def answers_table(self, submission):
        labels = {name: field.label for name, field in IntakeForm.base_fields.items()}
        conditions = dict(Condition.objects.values_list("slug", "name"))
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            (
                (labels.get(name, name), _answer_text(name, value, conditions))
                for name, value in submission.answers.items()
            ),
        )
        return format_html("<table>{}</table>", rows)

    @admin.action(description=_("Mark selected intakes as reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        marked = intakes_mark_reviewed(submissions=queryset, reviewed_by=request.user)
        skipped = queryset.count() - marked
        message = ngettext("%(count)d intake marked as reviewed.", "%(count)d intakes marked as reviewed.", marked) % {
            "count": marked
        }
        if skipped:
            message += " " + gettext("%(count)d had been reviewed already and kept their reviewer.") % {
                "count": skipped
            }
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Assign a practitioner to the selected intakes' patients"), permissions=["assign"])
    def assign_practitioner(self, request, queryset):
        """Ask which practitioner on an intermediate page, then assign them to every selected patient."""
        form = AssignPractitionerForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            practitioner = form.cleaned_data["practitioner"]
            patients = Patient.objects.filter(pk__in=queryset.values("patient_id"))
            changed = patients_assign_practitioner(patients=patients, practitioner=practitioner)
            self.message_user(
                request,
                ngettext(
                    "%(practitioner)s now treats %(count)d more patient.",
                    "%(practitioner)s now treats %(count)d more patients.",
                    changed,
                )
                % {"practitioner": practitioner.get_full_name() or practitioner.username, "count": changed},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign a practitioner",
            "opts": self.model._meta,
            "form": form,
            "submissions": queryset.select_related("patient"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/patients/intakesubmission/assign_practitioner.html", context)


@admin.register(PatientErasure)
class PatientErasureAdmin(admin.ModelAdmin):
    """The record of erasures and deletions, for the clinic lead: read-only, and holding nothing erased."""

    list_display = ["erased_at", "kind", "patient_reference", "erased_by", "reason"]
    list_filter = ["kind"]
    list_select_related = ["patient", "erased_by"]
    fields = ["erased_at", "kind", "patient_reference", "erased_by", "reason"]
    readonly_fields = fields

    @admin.display(description=_("anonymous record"))
    def patient_reference(self, erasure):
        return erasure.patient.patient_ref if erasure.patient else "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
