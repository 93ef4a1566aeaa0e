from django.contrib import admin


class ClinicAdminSite(admin.AdminSite):
    """The staff back office. Extra staff pages (the outcomes dashboard) hang off `get_urls`."""

    site_header = "Acuflow administration"
    site_title = "Acuflow admin"
    index_title = "Clinic back office"
