"""Give the Editors and Clinic lead groups the translation permissions (publishing is publish_article's)."""

from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

TRANSLATION_PERMISSIONS = [
    "view_articletranslation",
    "add_articletranslation",
    "change_articletranslation",
    "delete_articletranslation",
]
GRANTS = {name: [("content", codename) for codename in TRANSLATION_PERMISSIONS] for name in ["Editors", "Clinic lead"]}


def grant_translation_permissions(apps, schema_editor):
    roles_grant(apps, GRANTS)


def revoke_translation_permissions(apps, schema_editor):
    roles_revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_article_translation"),
        ("clinic", "0001_roles"),
    ]
    operations = [migrations.RunPython(grant_translation_permissions, revoke_translation_permissions)]
