from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry.forms import PartnerSummaryUploadForm
from registry.models import PartnerSummary
from registry.services import partner_summary_upload


@admin.register(PartnerSummary)
class PartnerSummaryAdmin(admin.ModelAdmin):
    """Partner clinics' summaries: uploaded as files through partner_summary_upload, read-only here."""

    list_display = ["site", "parameters_shown", "conditions_shown", "generated_at", "uploaded_at", "uploaded_by"]
    list_select_related = ["uploaded_by"]
    search_fields = ["site"]
    fields = ["site", "parameters_shown", "conditions_shown", "generated_at", "uploaded_at", "uploaded_by"]
    readonly_fields = fields

    @admin.display(description=_("parameters"))
    def parameters_shown(self, summary):
        p = summary.parameters
        window = f", session 1 {p.get('from') or '…'} to {p.get('to') or '…'}" if p.get("from") or p.get("to") else ""
        extra = (", all patients" if p.get("all_patients") else "") + (
            f", protocol {p['protocol']}" if p.get("protocol") else ""
        )
        return f"session {p.get('sessions')} ({p.get('reading')}){window}{extra}"

    @admin.display(description=_("conditions (shared / withheld)"))
    def conditions_shown(self, summary):
        conditions = summary.document.get("conditions", [])
        withheld = sum(1 for entry in conditions if entry.get("withheld"))
        return f"{len(conditions) - withheld} / {withheld}"

    def has_change_permission(self, request, obj=None):
        # Numbers are never edited by hand: a partner sends a new file.
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PartnerSummaryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                summary, created = partner_summary_upload(file=form.cleaned_data["file"], user=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                if created:
                    self.log_addition(request, summary, "Uploaded")
                else:
                    self.log_change(request, summary, "Replaced by a new upload")
                if created:
                    stored = gettext(
                        "Stored the summary of {site}. <a href='{url}'>See it pooled on the outcomes dashboard</a>."
                    )
                else:
                    stored = gettext(
                        "Replaced the summary of {site} with the new file. "
                        "<a href='{url}'>See it pooled on the outcomes dashboard</a>."
                    )
                messages.success(request, format_html(stored, site=summary.site, url=reverse("admin:outcomes")))
                return redirect("admin:registry_partnersummary_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload a partner clinic's summary",
            "form": form,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/registry/partnersummary/upload.html", context)
