from django.db import migrations

from sessions.acupoints import read_catalogue


def load_acupoints(apps, schema_editor):
    Acupoint = apps.get_model("treatment_sessions", "Acupoint")
    for row in read_catalogue():
        Acupoint.objects.update_or_create(code=row.pop("code"), defaults=row)


def unload_acupoints(apps, schema_editor):
    apps.get_model("treatment_sessions", "Acupoint").objects.filter(sessions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("treatment_sessions", "0001_initial")]
    operations = [migrations.RunPython(load_acupoints, unload_acupoints)]
