from django.urls import path

from accounts import views

urlpatterns = [
    # Before django.contrib.auth's URLs (clinic/urls.py), so this one answers /accounts/password_reset/.
    path("password_reset/", views.password_reset, name="password_reset"),
]
