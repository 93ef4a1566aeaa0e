from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("", views.patient_list, name="patient_list"),
    path("patients/<str:patient_ref>/", views.patient_detail, name="patient_detail"),
    path("patients/<str:patient_ref>/plan/new/", views.plan_new, name="plan_new"),
    path("patients/<str:patient_ref>/sessions/new/", views.session_new, name="session_new"),
    path("patients/<str:patient_ref>/sessions/<int:number>/", views.session_detail, name="session_detail"),
    path("patients/<str:patient_ref>/sessions/<int:number>/edit/", views.session_edit, name="session_edit"),
]
