import pytest

from protocols.models import Protocol
from protocols.tests.factories import ProtocolFactory

pytestmark = pytest.mark.django_db


def _form(protocol, **changes):
    data = {
        "name": protocol.name,
        "slug": protocol.slug,
        "conditions": [c.pk for c in protocol.conditions.all()],
        "is_active": "on",
        "public_description": protocol.public_description,
        "planned_sessions": protocol.planned_sessions,
        "interval_days": protocol.interval_days,
        "points": " ".join(protocol.points.order_by("position").values_list("code", flat=True)),
        "needle_gauge_mm": "",
        "retention_minutes": "",
        "practitioner_notes": "",
    }
    data.update(changes)
    return data


def test_editing_a_protocol_makes_a_new_version(client, clinic_lead):
    protocol = ProtocolFactory()
    client.force_login(clinic_lead)
    url = f"/admin/protocols/protocol/{protocol.pk}/change/"
    response = client.post(url, _form(protocol, planned_sessions=8))
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert (protocol.planned_sessions, protocol.version) == (8, 2)
    client.post(url, _form(protocol))  # saved unchanged
    protocol.refresh_from_db()
    assert protocol.version == 2


def test_a_bad_value_in_the_protocol_form_is_shown_not_saved(client, clinic_lead):
    protocol = ProtocolFactory()
    client.force_login(clinic_lead)
    response = client.post(f"/admin/protocols/protocol/{protocol.pk}/change/", _form(protocol, planned_sessions=0))
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert Protocol.objects.get().planned_sessions == 6


def test_only_the_clinic_lead_edits_protocols(client, clinic_lead, front_desk, editor):
    protocol = ProtocolFactory()
    url = f"/admin/protocols/protocol/{protocol.pk}/change/"
    client.force_login(clinic_lead)
    assert "Save" in client.get(url).content.decode()
    client.force_login(front_desk)
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page  # view only
    client.force_login(editor)
    assert client.get(url).status_code == 403


def test_the_protocol_points_are_typed_as_codes_as_in_the_workspace(client, clinic_lead):
    protocol = ProtocolFactory()
    client.force_login(clinic_lead)
    url = f"/admin/protocols/protocol/{protocol.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="points"' in page and "admin-autocomplete" not in page
    assert 'type="checkbox" name="conditions"' in page
    assert client.post(url, _form(protocol, points="li 4, sj5;st36")).status_code == 302
    assert list(protocol.points.order_by("code").values_list("code", flat=True)) == ["LI4", "ST36", "TE5"]


def test_an_unknown_point_in_the_protocol_form_is_named_and_nothing_is_saved(client, clinic_lead):
    protocol = ProtocolFactory()
    before = set(protocol.points.values_list("code", flat=True))
    client.force_login(clinic_lead)
    response = client.post(f"/admin/protocols/protocol/{protocol.pk}/change/", _form(protocol, points="st36 xx9"))
    assert response.status_code == 200
    assert "Unknown acupoint code: xx9." in response.content.decode()
    assert set(protocol.points.values_list("code", flat=True)) == before
