"""Give the Editors and Clinic lead groups the article permissions, including publishing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ARTICLE_PERMISSIONS = [
    "view_article",
    "add_article",
    "change_article",
    "delete_article",
    "publish_article",
    "view_tag",
    "add_tag",
    "change_tag",
    "delete_tag",
]
GROUPS = ["Editors", "Clinic lead"]


def grant_article_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    app_config = apps.get_app_config("content")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="content", codename__in=ARTICLE_PERMISSIONS))
    assert len(permissions) == len(ARTICLE_PERMISSIONS), "article permissions are missing"
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke_article_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="content", codename__in=ARTICLE_PERMISSIONS)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("clinic", "0001_roles"),
    ]
    operations = [migrations.RunPython(grant_article_permissions, revoke_article_permissions)]
