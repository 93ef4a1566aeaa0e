from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

PERMISSIONS = {
    "Practitioners": ["view_protocol", "view_treatmentplan", "add_treatmentplan"],
    "Front desk": ["view_protocol", "view_treatmentplan"],
    "Clinic lead": [
        "view_protocol", "add_protocol", "change_protocol", "delete_protocol",
        "view_treatmentplan", "add_treatmentplan",
    ],
}
GRANTS = {group: [("protocols", codename) for codename in codenames] for group, codenames in PERMISSIONS.items()}


def grant(apps, schema_editor):
    roles_grant(apps, GRANTS)


def revoke(apps, schema_editor):
    roles_revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial"), ("clinic", "0001_roles")]
    operations = [migrations.RunPython(grant, revoke)]
