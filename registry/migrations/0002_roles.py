from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

GRANTS = {
    "Clinic lead": [
        ("registry", codename) for codename in ("view_partnersummary", "add_partnersummary", "delete_partnersummary")
    ],
}


def grant(apps, schema_editor):
    roles_grant(apps, GRANTS)


def revoke(apps, schema_editor):
    roles_revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_partner_summary"), ("clinic", "0001_roles")]
    operations = [migrations.RunPython(grant, revoke)]
