"""A public intake sent while a large import holds the patient table: a clear "send again", nothing lost."""

import threading

import pytest
from django.db import connection, connections, transaction

from patients import services
from patients.models import IntakeSubmission
from patients.tests.factories import intake_post_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="imports lock the patient table only on PostgreSQL"
)


@pytest.fixture
def patient_table_locked():
    """Another connection holding the patient table as a large import does, until released."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE patients_patient IN ACCESS EXCLUSIVE MODE")
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=10)
    yield release
    release.set()
    holder.join()


@pytest.mark.django_db(transaction=True)
def test_an_intake_sent_during_a_large_import_comes_back_with_everything_typed(
    client, monkeypatch, patient_table_locked
):
    monkeypatch.setattr(services, "INTAKE_LOCK_TIMEOUT", "300ms")
    data = intake_post_data(first_name="Ngozi", medications="Aspirin 75 mg")
    response = client.post("/assessment/", data)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Your assessment is not sent yet" in html
    assert 'value="Ngozi"' in html and "Aspirin 75 mg" in html
    assert not IntakeSubmission.objects.exists()

    patient_table_locked.set()  # the import finished
    response = client.post("/assessment/", data)
    assert response.status_code == 302
    assert IntakeSubmission.objects.get().answers["first_name"] == "Ngozi"
