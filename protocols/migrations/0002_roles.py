from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Practitioners": ["view_protocol", "view_treatmentplan", "add_treatmentplan"],
    "Front desk": ["view_protocol", "view_treatmentplan"],
    "Clinic lead": [
        "view_protocol", "add_protocol", "change_protocol", "delete_protocol",
        "view_treatmentplan", "add_treatmentplan",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("protocols")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="protocols", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="protocols"))


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial"), ("clinic", "0001_roles")]
    operations = [migrations.RunPython(grant, revoke)]
