"""A public intake sent while a large import holds the patient table: a clear "send again", nothing lost."""

import pytest
from django.db import connection

from patients import services
from patients.models import IntakeSubmission
from patients.tests.factories import intake_post_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="imports lock the patient table only on PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_an_intake_sent_during_a_large_import_comes_back_with_everything_typed(client, monkeypatch, table_held):
    monkeypatch.setattr(services, "INTAKE_LOCK_TIMEOUT", "300ms")
    import_finished = table_held("patients_patient", "ACCESS EXCLUSIVE")
    data = intake_post_data(first_name="Ngozi", medications="Aspirin 75 mg")
    response = client.post("/assessment/", data)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Your assessment is not sent yet" in html
    assert 'value="Ngozi"' in html and "Aspirin 75 mg" in html
    assert not IntakeSubmission.objects.exists()

    import_finished()
    response = client.post("/assessment/", data)
    assert response.status_code == 302
    assert IntakeSubmission.objects.get().answers["first_name"] == "Ngozi"
