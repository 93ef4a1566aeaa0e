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
