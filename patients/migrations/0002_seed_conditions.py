from django.db import migrations

CONDITIONS = [
    (
        "Chronic Fatigue Syndrome",
        "chronic-fatigue-syndrome",
        "Long-lasting exhaustion not relieved by rest, often with poor sleep and brain fog.",
    ),
    (
        "Peripheral Artery Disease (mild)",
        "peripheral-artery-disease-mild",
        "Narrowed leg arteries causing cramping or pain on walking that eases with rest.",
    ),
    (
        "Post-COVID Microvascular Dysfunction",
        "post-covid-microvascular-dysfunction",
        "Fatigue, breathlessness and cold extremities persisting after a COVID-19 infection.",
    ),
    (
        "Raynaud's Phenomenon",
        "raynauds-phenomenon",
        "Fingers or toes turning white or blue in the cold, then red and painful as they warm.",
    ),
    (
        "Chronic Migraine",
        "chronic-migraine",
        "Headache on 15 or more days a month, with migraine features on at least 8 of them.",
    ),
    (
        "Post-Chemotherapy Fatigue",
        "post-chemotherapy-fatigue",
        "Persistent tiredness and low energy after cancer treatment.",
    ),
    ("Other", "other", "A circulatory complaint not listed above."),
]


def seed_conditions(apps, schema_editor):
    Condition = apps.get_model("patients", "Condition")
    for name, slug, description in CONDITIONS:
        Condition.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})


def remove_conditions(apps, schema_editor):
    Condition = apps.get_model("patients", "Condition")
    Condition.objects.filter(slug__in=[slug for _, slug, _ in CONDITIONS], patients__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [migrations.RunPython(seed_conditions, remove_conditions)]
