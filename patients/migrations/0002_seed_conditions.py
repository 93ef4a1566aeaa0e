from django.db import migrations
from django.utils.translation import gettext_noop

# Names and descriptions are marked so that makemessages finds them: the public pages show them translated
# (Condition.public_name). gettext_noop returns them unchanged: English is what is stored.

CONDITIONS = [
    (
        gettext_noop("Chronic Fatigue Syndrome"),
        "chronic-fatigue-syndrome",
        gettext_noop("Long-lasting exhaustion not relieved by rest, often with poor sleep and brain fog."),
    ),
    (
        gettext_noop("Peripheral Artery Disease (mild)"),
        "peripheral-artery-disease-mild",
        gettext_noop("Narrowed leg arteries causing cramping or pain on walking that eases with rest."),
    ),
    (
        gettext_noop("Post-COVID Microvascular Dysfunction"),
        "post-covid-microvascular-dysfunction",
        gettext_noop("Fatigue, breathlessness and cold extremities persisting after a COVID-19 infection."),
    ),
    (
        gettext_noop("Raynaud's Phenomenon"),
        "raynauds-phenomenon",
        gettext_noop("Fingers or toes turning white or blue in the cold, then red and painful as they warm."),
    ),
    (
        gettext_noop("Chronic Migraine"),
        "chronic-migraine",
        gettext_noop("Headache on 15 or more days a month, with migraine features on at least 8 of them."),
    ),
    (
        gettext_noop("Post-Chemotherapy Fatigue"),
        "post-chemotherapy-fatigue",
        gettext_noop("Persistent tiredness and low energy after cancer treatment."),
    ),
    (gettext_noop("Other"), "other", gettext_noop("A circulatory complaint not listed above.")),
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
