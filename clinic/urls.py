from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views
from clinic.emails import PasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("assessment/", include("patients.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The reset email is sent by the worker (clinic.emails); the other account pages are Django's.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("practice/", include("practice.urls")),
    path("", include("content.urls")),
]
