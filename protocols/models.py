from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patients.models import Condition, Patient
from sessions.models import NEEDLE_GAUGE_RANGE, RETENTION_RANGE, Acupoint, range_validators

PLANNED_SESSIONS_RANGE = (1, 30)
INTERVAL_DAYS_RANGE = (1, 90)


class CourseFields(models.Model):
    """What a course of treatment consists of; shared by a protocol and the plans made from it."""

    planned_sessions = models.PositiveSmallIntegerField(default=6, validators=range_validators(*PLANNED_SESSIONS_RANGE))
    interval_days = models.PositiveSmallIntegerField(
        _("days between sessions"), default=7, validators=range_validators(*INTERVAL_DAYS_RANGE)
    )
    needle_gauge_mm = models.DecimalField(
        _("needle gauge (mm)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=range_validators(*NEEDLE_GAUGE_RANGE),
    )
    retention_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=range_validators(*RETENTION_RANGE)
    )
    electrostimulation = models.BooleanField(default=False, help_text=_("Electro-acupuncture is part of the course."))

    class Meta:
        abstract = True


class Protocol(CourseFields):
    """A clinic's standard course for one or more conditions. Each saved change raises `version`."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True, help_text=_("Used by `cohort_table --protocol SLUG`."))
    conditions = models.ManyToManyField(Condition, related_name="protocols")
    public_description = models.TextField(
        help_text=_("For patients: what to expect, how many sessions, how often. No personal advice.")
    )
    points = models.ManyToManyField(Acupoint, blank=True, related_name="protocols", verbose_name=_("default points"))
    practitioner_notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text=_("Only active protocols are suggested for new plans."))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[points, conditions])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1, planned_sessions__lte=30), name="protocol_planned_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1, interval_days__lte=90), name="protocol_interval_days_range"
            ),
        ]

    def __str__(self):
        return self.name


class TreatmentPlan(CourseFields):
    """A protocol adapted to one patient and confirmed by a practitioner.

    The plan keeps its own copy of the course (points, counts, gauge), and the protocol version it
    was based on, so later edits to the protocol never change what a patient was planned.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="plans")
    protocol_version = models.PositiveIntegerField()
    points = models.ManyToManyField(Acupoint, blank=True, related_name="plans")
    first_session_number = models.PositiveIntegerField(
        help_text=_("The patient's session number that counts as session 1 of this plan.")
    )
    removed_points = models.JSONField(
        default=list, blank=True, help_text=_("Protocol points left out for this patient: [{code, reason}].")
    )
    cautions = models.JSONField(default=list, blank=True, help_text=_("Safety cautions shown with the plan."))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    history = HistoricalRecords(m2m_fields=[points])

    class Meta:
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(is_current=True), name="plan_one_current_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1, planned_sessions__lte=30), name="plan_planned_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1, interval_days__lte=90), name="plan_interval_range"
            ),
            models.CheckConstraint(condition=Q(first_session_number__gte=1), name="plan_first_session_positive"),
        ]

    def __str__(self):
        return f"{self.protocol.name} for {self.patient.patient_ref}"
