"""Who looked at a record: an entry per view of patient data, read by the clinic lead, edited by nobody."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from audit.models import RecordAccess
from patients.models import IntakeSubmission
from patients.tests.factories import PatientFactory
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(practitioner):
    patient = PatientFactory(practitioner=practitioner, first_name="Ada", last_name="Lovelace")
    TreatmentSessionFactory(patient=patient, number=1)
    return patient


def _entries():
    return list(RecordAccess.objects.order_by("timestamp", "pk"))


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/practice/patients/{ref}/", "practice:patient_detail"),
        ("/practice/patients/{ref}/sessions/1/", "practice:session_detail"),
        ("/practice/patients/{ref}/sessions/new/", "practice:session_new"),
        ("/practice/patients/{ref}/sessions/1/edit/", "practice:session_edit"),
    ],
)
def test_each_workspace_page_of_a_patient_is_an_access_entry(client, practitioner, patient, path, page):
    client.force_login(practitioner)
    response = client.get(path.format(ref=patient.patient_ref), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    [entry] = _entries()
    assert entry.actor == practitioner and entry.timestamp is not None
    assert entry.object_pk == str(patient.pk) and entry.object_repr == patient.patient_ref
    assert entry.additional_data["page"] == page
    assert entry.additional_data["path"] == path.format(ref=patient.patient_ref)
    assert entry.remote_addr == "198.51.100.7"
    assert "Lovelace" not in str(entry.additional_data) + entry.object_repr, "the trail holds references, not names"


def test_behind_a_trusted_proxy_the_entry_has_the_clients_address(client, practitioner, patient, settings):
    settings.TRUSTED_PROXIES = 1
    client.force_login(practitioner)
    client.get(f"/practice/patients/{patient.patient_ref}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _entries()[0].remote_addr == "203.0.113.9"


def test_asking_for_another_practitioners_patient_is_recorded_as_refused(client, other_practitioner, patient):
    client.force_login(other_practitioner)
    assert client.get(f"/practice/patients/{patient.patient_ref}/").status_code == 404
    [entry] = _entries()
    assert entry.actor == other_practitioner and entry.additional_data["refused"] is True


def test_the_workspace_list_is_an_access_entry_for_several_patients(client, practitioner, patient):
    client.force_login(practitioner)
    client.get("/practice/")
    [entry] = _entries()
    assert entry.object_pk == "" and entry.additional_data["page"] == "practice:patient_list"


def test_admin_pages_of_a_patient_are_access_entries(client, clinic_lead, patient):
    intake = IntakeSubmission.objects.create(patient=patient, answers={}, form_version="1")
    session = patient.sessions.get()
    client.force_login(clinic_lead)
    pages = {
        f"/admin/patients/patient/{patient.pk}/change/": "admin:patients_patient_change",
        f"/admin/patients/patient/{patient.pk}/history/": "admin:patients_patient_history",
        f"/admin/patients/intakesubmission/{intake.pk}/change/": "admin:patients_intakesubmission_change",
        f"/admin/treatment_sessions/treatmentsession/{session.pk}/change/": (
            "admin:treatment_sessions_treatmentsession_change"
        ),
    }
    for url in pages:
        assert client.get(url).status_code == 200, url
    entries = _entries()
    assert [entry.additional_data["page"] for entry in entries] == list(pages.values())
    assert {entry.object_pk for entry in entries} == {str(patient.pk)}


def test_admin_lists_of_patients_and_intakes_are_access_entries(client, front_desk, patient):
    client.force_login(front_desk)
    client.get("/admin/patients/patient/")
    client.get("/admin/patients/intakesubmission/")
    pages = [entry.additional_data["page"] for entry in _entries()]
    assert pages == ["admin:patients_patient_changelist", "admin:patients_intakesubmission_changelist"]


def test_the_dashboard_with_patients_without_consent_and_its_download_are_access_entries(client, clinic_lead):
    client.force_login(clinic_lead)
    client.get("/admin/outcomes/", {"sessions": 6, "reading": "post"})
    assert _entries() == [], "consented aggregates only: nothing about any one patient"
    client.get("/admin/outcomes/", {"sessions": 6, "reading": "post", "all_patients": "on"})
    client.get("/admin/outcomes/", {"sessions": 6, "reading": "post", "download": "csv"})
    details = [(e.additional_data["all_patients"], e.additional_data["download"]) for e in _entries()]
    assert details == [(True, False), (False, True)]


def test_the_clinic_lead_browses_the_trail_by_patient_and_by_user(client, clinic_lead, practitioner, patient):
    other = PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    client.get(f"/practice/patients/{patient.patient_ref}/")
    client.get(f"/practice/patients/{other.patient_ref}/")
    client.force_login(clinic_lead)
    by_patient = client.get("/admin/audit/recordaccess/", {"patient": patient.patient_ref}).content.decode()
    assert patient.patient_ref in by_patient and other.patient_ref not in by_patient
    assert "Workspace: patient page" in by_patient and "Mei Lin" in by_patient
    by_user = client.get("/admin/audit/recordaccess/", {"actor__id__exact": practitioner.pk}).content.decode()
    assert patient.patient_ref in by_user and other.patient_ref in by_user


def test_the_clinic_lead_prints_who_accessed_a_record(client, clinic_lead, front_desk, practitioner, patient):
    client.force_login(practitioner)
    client.get(f"/practice/patients/{patient.patient_ref}/")
    client.force_login(front_desk)
    client.get(f"/admin/patients/patient/{patient.pk}/change/")
    client.force_login(clinic_lead)
    change_page = client.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()
    report_url = f"/admin/audit/recordaccess/patient/{patient.pk}/report/"
    assert report_url in change_page
    report = client.get(report_url).content.decode()
    assert "Who accessed the record of Ada Lovelace" in report
    for line in ["Mei Lin", "Workspace: patient page", "frontdesk", "Admin: patient page"]:
        assert line in report, line
    assert "@media print" in report


def test_only_the_clinic_lead_reads_the_trail(client, front_desk, patient):
    client.force_login(front_desk)
    assert client.get("/admin/audit/recordaccess/").status_code == 403
    assert client.get(f"/admin/audit/recordaccess/patient/{patient.pk}/report/").status_code == 403
    assert "/report/" not in client.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()


def test_nobody_edits_or_deletes_an_entry_through_the_app_not_even_a_superuser(client, practitioner, patient):
    client.force_login(practitioner)
    client.get(f"/practice/patients/{patient.patient_ref}/")
    [entry] = _entries()
    client.force_login(User.objects.create_superuser("root", password="correct-horse-battery"))
    base = "/admin/audit/recordaccess/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    client.post(f"{base}{entry.pk}/change/", {"object_repr": "AC-FORGED"})
    assert RecordAccess.objects.filter(pk=entry.pk, object_repr=patient.patient_ref).exists()
    assert client.get("/admin/auditlog/logentry/").status_code == 404, "auditlog's own editable admin is gone"
    with pytest.raises(CommandError, match="access trail is kept"):
        call_command("auditlogflush", "--yes")
    assert RecordAccess.objects.filter(pk=entry.pk).exists()
