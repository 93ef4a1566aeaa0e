from django.contrib import admin
from django.urls import path


class ClinicAdminSite(admin.AdminSite):
    """The staff back office. Extra staff pages (the outcomes dashboard) hang off `get_urls`."""

    site_header = "Acuflow administration"
    site_title = "Acuflow admin"
    index_title = "Clinic back office"
    index_template = "admin/clinic_index.html"

    def get_urls(self):
        return [
            path("outcomes/", self.admin_view(self.outcomes_view), name="outcomes"),
            path("outcomes/research-export.csv", self.admin_view(self.research_export_view), name="research_export"),
            *super().get_urls(),
        ]

    def outcomes_view(self, request):
        # Imported when first used: this module is loaded while the admin app starts, before
        # the apps whose models the dashboard reads are ready.
        from clinic.dashboard import outcomes_dashboard

        return outcomes_dashboard(request, self)

    def research_export_view(self, request):
        from clinic.dashboard import research_export_download

        return research_export_download(request)
