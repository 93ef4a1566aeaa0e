from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic"


class ClinicAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin.ClinicAdminSite"
