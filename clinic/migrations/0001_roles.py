"""Create the staff roles as groups with their permissions (see the README's Roles section)."""

from django.db import migrations

from clinic.lib.roles import roles_grant


def _crud(app_label, model, actions):
    return [(app_label, f"{action}_{model}") for action in actions]


VIEW = ["view"]
EDIT = ["view", "add", "change"]
ALL = ["view", "add", "change", "delete"]

PRACTITIONERS = [
    *_crud("patients", "patient", VIEW),
    *_crud("patients", "condition", VIEW),
    *_crud("treatment_sessions", "acupoint", VIEW),
    *_crud("treatment_sessions", "treatmentsession", EDIT),
]
FRONT_DESK = [
    *_crud("patients", "patient", EDIT),
    *_crud("patients", "condition", VIEW),
    *_crud("patients", "intakesubmission", ["view", "change"]),
    *_crud("treatment_sessions", "treatmentsession", VIEW),
    *_crud("treatment_sessions", "acupoint", VIEW),
]
EDITORS = [
    *_crud("patients", "condition", VIEW),
]
CLINIC_LEAD = sorted(
    {
        *PRACTITIONERS,
        *FRONT_DESK,
        *EDITORS,
        *_crud("patients", "patient", ALL),
        *_crud("patients", "condition", EDIT),
        *_crud("treatment_sessions", "treatmentsession", ALL),
        *_crud("treatment_sessions", "acupoint", EDIT),
        ("treatment_sessions", "view_cohort_outcomes"),
        ("treatment_sessions", "import_sessions"),
    }
)

ROLES = {
    "Practitioners": PRACTITIONERS,
    "Front desk": FRONT_DESK,
    "Editors": EDITORS,
    "Clinic lead": CLINIC_LEAD,
}


def create_roles(apps, schema_editor):
    roles_grant(apps, ROLES)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0002_seed_conditions"),
        ("treatment_sessions", "0002_load_acupoints"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
