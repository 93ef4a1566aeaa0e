import factory
from django.contrib.auth.models import Group, User

from patients.models import Condition, Patient


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class PractitionerFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"practitioner{n}")

    @factory.post_generation
    def in_group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name="Practitioners"))


class ConditionFactory(factory.django.DjangoModelFactory):
    """The seeded conditions; by default Chronic Fatigue Syndrome."""

    class Meta:
        model = Condition
        django_get_or_create = ("slug",)

    slug = "chronic-fatigue-syndrome"
    name = "Chronic Fatigue Syndrome"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    patient_ref = factory.Sequence(lambda n: f"T-{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=20, maximum_age=85)
    email = factory.LazyAttribute(lambda p: f"{p.patient_ref.lower()}@example.org")
    condition = factory.SubFactory(ConditionFactory)
    research_consent = True


def intake_post_data(**overrides):
    """Return a complete, valid free assessment as the browser posts it; `overrides` replace answers."""
    data = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "date_of_birth": "1980-03-31",
        "sex": "female",
        "email": "ana.lopez@example.org",
        "phone": "+44 20 7946 0000",
        "condition": "raynauds-phenomenon",
        "complaint_duration": "1 to 5 years",
        "symptoms": ["cold_extremities", "numbness"],
        "medications": "Amlodipine 5 mg",
        "history": "Fingers go white in the cold.",
        "pregnant": "no",
        "blood_thinners": "no",
        "bleeding_disorder": "no",
        "implanted_device": "no",
        "metal_allergy": "no",
        "needle_phobia": "no",
        "reduced_sensation": "no",
        "immunocompromised": "no",
        "previous_acupuncture": "unsure",
        "contact_consent": "on",
        "website": "",
        "submission_key": "6f1c3b1e-0d7a-4c39-9a35-2f4a3c1b8e11",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
