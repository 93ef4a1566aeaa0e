"""export_research and the clinic lead's research download: de-identified, keyed, refused without a key."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from patients.tests.factories import PatientFactory
from sessions.research import COLUMNS
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db
KEY = "a-research-key-that-is-long-enough-1234"
URL = "/admin/outcomes/research-export.csv"


@pytest.fixture
def sessions(settings):
    settings.RESEARCH_EXPORT_KEY = KEY
    for _ in range(3):
        patient = PatientFactory(research_consent=True)
        for number in (1, 2):
            TreatmentSessionFactory(patient=patient, number=number)
    TreatmentSessionFactory(patient=PatientFactory(research_consent=False, last_name="Withheld"))


def _export(tmp_path, *args):
    path = tmp_path / "research.csv"
    out = io.StringIO()
    call_command("export_research", str(path), *args, stdout=out)
    return list(csv.reader(path.open(encoding="utf-8"))), out.getvalue()


def test_the_command_writes_one_row_per_consenting_patients_session(tmp_path, sessions):
    (header, *rows), out = _export(tmp_path)
    assert header == COLUMNS
    assert len(rows) == 6 and len({row[0] for row in rows}) == 3
    assert "6 sessions of 3 patients" in out


def test_the_same_key_gives_the_same_pseudonyms_and_another_key_unlinkable_ones(tmp_path, sessions, settings):
    (_, *first), _ = _export(tmp_path)
    (_, *again), _ = _export(tmp_path)
    settings.RESEARCH_EXPORT_KEY = "another-key-for-another-study-0000000000"
    (_, *other), _ = _export(tmp_path)
    assert {row[0] for row in first} == {row[0] for row in again}
    assert not {row[0] for row in first} & {row[0] for row in other}


def test_the_command_refuses_to_run_without_the_key(tmp_path, sessions, settings):
    settings.RESEARCH_EXPORT_KEY = ""
    with pytest.raises(CommandError, match="RESEARCH_EXPORT_KEY is not set"):
        _export(tmp_path)
    assert not (tmp_path / "research.csv").exists()


def test_the_command_refuses_a_bad_window(tmp_path, sessions):
    with pytest.raises(CommandError, match="not a date"):
        _export(tmp_path, "--from", "March")
    with pytest.raises(CommandError, match="start is after its end"):
        _export(tmp_path, "--from", "2026-02-01", "--to", "2026-01-01")


def test_the_clinic_lead_downloads_the_same_export_from_the_dashboard(client, clinic_lead, sessions, tmp_path):
    client.force_login(clinic_lead)
    page = client.get(reverse("admin:outcomes")).content.decode()
    assert "Download research export (CSV)" in page
    response = client.get(URL)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="research-export-')
    downloaded = list(csv.reader(io.StringIO(response.content.decode())))
    exported, _ = _export(tmp_path)
    assert downloaded == exported
    assert "Withheld" not in response.content.decode()


def test_the_download_is_for_the_clinic_lead_only(client, front_desk, sessions):
    client.force_login(front_desk)
    assert client.get(URL).status_code == 403


def test_without_a_key_the_dashboard_says_what_is_needed_and_the_download_explains(client, clinic_lead, settings):
    settings.RESEARCH_EXPORT_KEY = ""
    client.force_login(clinic_lead)
    assert (
        "needs the <code>RESEARCH_EXPORT_KEY</code> setting" in client.get(reverse("admin:outcomes")).content.decode()
    )
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:outcomes")
    assert "RESEARCH_EXPORT_KEY is not set" in response.content.decode()


def test_a_bad_window_in_the_download_is_explained_not_a_crash(client, clinic_lead, sessions):
    client.force_login(clinic_lead)
    response = client.get(URL, {"date_from": "2026-05-01", "date_to": "2026-01-01"}, follow=True)
    assert "Research export: The window&#x27;s start is after its end." in response.content.decode()
    assert client.get(URL, {"date_from": "not-a-date"}).status_code == 302
