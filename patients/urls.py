from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.intake, name="intake"),
    path("thanks/<str:ref>/", views.intake_thanks, name="intake_thanks"),
]
