import pytest
from django.db import connections

from clinic import views


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_healthz_answers_head_for_uptime_monitors(client):
    assert client.head("/healthz").status_code == 200


@pytest.fixture
def unreachable_database(monkeypatch):
    """A real connection wrapper whose database cannot be reached (a closed port, a missing file)."""
    default = connections["default"]
    settings_dict = dict(default.settings_dict)
    if default.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-folder/acuflow.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")
    broken = default.__class__(settings_dict, alias="default")
    monkeypatch.setattr(views, "connections", {"default": broken})
    yield
    broken.close()


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, unreachable_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
