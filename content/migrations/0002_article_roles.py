"""Give the Editors and Clinic lead groups the article permissions, including publishing."""

from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

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


GRANTS = {name: [("content", codename) for codename in ARTICLE_PERMISSIONS] for name in GROUPS}


def grant_article_permissions(apps, schema_editor):
    roles_grant(apps, GRANTS)


def revoke_article_permissions(apps, schema_editor):
    roles_revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("clinic", "0001_roles"),
    ]
    operations = [migrations.RunPython(grant_article_permissions, revoke_article_permissions)]
