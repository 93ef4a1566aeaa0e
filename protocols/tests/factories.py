import factory

from patients.tests.factories import ConditionFactory
from protocols.models import Protocol
from sessions.models import Acupoint


class ProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Protocol
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Circulation course {n}")
    slug = factory.Sequence(lambda n: f"circulation-course-{n}")
    public_description = "Six weekly sessions of about 45 minutes. Your practitioner will confirm your plan."
    planned_sessions = 6
    interval_days = 7

    @factory.post_generation
    def conditions(protocol, create, extracted, **kwargs):
        if create:
            protocol.conditions.set(extracted or [ConditionFactory()])

    @factory.post_generation
    def points(protocol, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["ST36", "LI4", "SP6", "PC6"]
            protocol.points.set(Acupoint.objects.filter(code__in=codes))
