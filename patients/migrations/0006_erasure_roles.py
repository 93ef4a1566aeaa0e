"""The clinic lead erases patients' personal details and reads the record of erasures."""

from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

GRANTS = {"Clinic lead": [("patients", "erase_patient"), ("patients", "view_patienterasure")]}


def grant(apps, schema_editor):
    roles_grant(apps, GRANTS)


def revoke(apps, schema_editor):
    roles_revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_patient_erasure_and_consent_withdrawal"), ("clinic", "0001_roles")]
    operations = [migrations.RunPython(grant, revoke)]
