from django.db import migrations

from clinic.lib.roles import roles_grant, roles_revoke

# The Patient Global Impression of Change (Guy, ECDEU Assessment Manual, 1976): public domain.
PGIC = {
    "questionnaire": "pgic",
    "name": "PGIC",
    "question": "Since the start of treatment, how would you describe the change in your condition?",
    "scale_min": 1,
    "scale_max": 7,
    "answer_labels": [
        "Very much improved",
        "Much improved",
        "Minimally improved",
        "No change",
        "Minimally worse",
        "Much worse",
        "Very much worse",
    ],
    "licence": "Public domain (Guy, ECDEU Assessment Manual for Psychopharmacology, 1976).",
    "position": 1,
}


# The clinic lead adds a licensed measure; the others read the list.
GRANTS = {
    "Clinic lead": [("treatment_sessions", name) for name in ("view_instrument", "add_instrument", "change_instrument")],
    "Front desk": [("treatment_sessions", "view_instrument")],
}


def seed_pgic(apps, schema_editor):
    apps.get_model("treatment_sessions", "Instrument").objects.update_or_create(code="pgic", defaults=PGIC)
    roles_grant(apps, GRANTS)


def unseed_pgic(apps, schema_editor):
    roles_revoke(apps, GRANTS)
    apps.get_model("treatment_sessions", "Instrument").objects.filter(code="pgic").delete()


class Migration(migrations.Migration):
    dependencies = [("treatment_sessions", "0005_instruments_and_answers"), ("clinic", "0001_roles")]
    operations = [migrations.RunPython(seed_pgic, unseed_pgic)]
