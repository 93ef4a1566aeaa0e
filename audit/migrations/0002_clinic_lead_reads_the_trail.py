"""The clinic lead reads the access trail in admin; nobody is given add, change or delete."""

from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

GRANTS = {"Clinic lead": [("audit", "view_recordaccess")]}


def grant(apps, schema_editor):
    roles_grant(apps, GRANTS)


def revoke(apps, schema_editor):
    roles_revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_record_access"),
        ("clinic", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
