"""The roles (Django groups) by name, and granting them permissions in the data migrations that create them.

Code names a role through these constants, never a string of its own. The migrations keep their
literal names: they are history, and a group's name is part of the data.
"""

from django.contrib.auth.management import create_permissions

PRACTITIONERS = "Practitioners"
FRONT_DESK = "Front desk"
EDITORS = "Editors"
CLINIC_LEAD = "Clinic lead"


def permissions_ensure(apps, app_label):
    """Create the permissions of `app_label`'s models now.

    Django creates permissions only after all migrations have run, so a data migration that
    grants them must create them first. `apps` is a migration's historical registry or the
    project's real one (tests restoring seeded data); the real one is left as it was.
    """
    app_config = apps.get_app_config(app_label)
    if getattr(app_config, "models_module", None) is not None:
        create_permissions(app_config, apps=apps, verbosity=0)
        return
    # A historical registry has no models module; create_permissions skips such apps.
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None


def roles_grant(apps, grants):
    """Add permissions to groups, creating groups and permissions as needed.

    `grants` maps a group name to (app_label, codename) pairs. Raise LookupError naming any
    permission that does not exist.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label in {app_label for pairs in grants.values() for app_label, _ in pairs}:
        permissions_ensure(apps, app_label)
    for group_name, pairs in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codename in pairs:
            try:
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist:
                raise LookupError(f"No permission {app_label}.{codename} to grant to {group_name}.") from None


def roles_revoke(apps, grants):
    """Remove the permissions in `grants` (as for roles_grant) from their groups."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=grants):
        for app_label, codename in grants[group.name]:
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


def user_group_names(user):
    """Return the names of `user`'s groups, read once per user object (a request asks several times)."""
    if not hasattr(user, "_role_group_names"):
        user._role_group_names = set(user.groups.values_list("name", flat=True))
    return user._role_group_names


def user_sees_patient_data(*, user):
    """True for everyone who can see patient data: staff (admin), superusers, practitioners and clinic leads."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or bool(user_group_names(user) & {PRACTITIONERS, CLINIC_LEAD})
