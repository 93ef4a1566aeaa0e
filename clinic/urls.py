from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views
from clinic.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("assessment/", include("patients.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("practice/", include("practice.urls")),
    path("", include("content.urls")),
]

handler400 = "clinic.views.bad_request"
handler500 = "clinic.views.server_error"
