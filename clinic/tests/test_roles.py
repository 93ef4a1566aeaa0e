import pytest
from django.contrib.auth.models import Group


def _codes(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


@pytest.mark.django_db
def test_the_four_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Practitioners",
        "Front desk",
        "Editors",
        "Clinic lead",
    }


@pytest.mark.django_db
def test_only_the_clinic_lead_may_view_cohort_outcomes():
    assert "view_cohort_outcomes" in _codes("Clinic lead")
    for group_name in ["Practitioners", "Front desk", "Editors"]:
        assert "view_cohort_outcomes" not in _codes(group_name)


@pytest.mark.django_db
def test_front_desk_edits_patients_but_cannot_delete_them_or_sessions():
    codes = _codes("Front desk")
    assert {"change_patient", "view_intakesubmission", "view_treatmentsession"} <= codes
    assert not codes & {"delete_patient", "change_treatmentsession", "delete_treatmentsession"}


@pytest.mark.django_db
def test_clinic_lead_holds_every_other_role_s_permissions():
    lead = _codes("Clinic lead")
    for group_name in ["Practitioners", "Front desk", "Editors"]:
        assert _codes(group_name) <= lead
