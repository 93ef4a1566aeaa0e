from django.urls import path

from accounts import views

urlpatterns = [
    # Before django.contrib.auth's URLs (clinic/urls.py), so this one answers /accounts/password_reset/.
    path("password_reset/", views.password_reset, name="password_reset"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
]
