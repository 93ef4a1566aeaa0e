import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from patients.models import Patient
from patients.validators import ControlCharacterValidator
from sessions.acupoints import MERIDIANS

SPO2_RANGE = (50, 100)
PULSE_RANGE = (25, 250)
NEEDLE_GAUGE_RANGE = (Decimal("0.12"), Decimal("0.40"))
RETENTION_RANGE = (1, 180)
# No session is older than this: an earlier date is a mistyped year (the database checks it too).
EARLIEST_SESSION = dt.datetime(1950, 1, 1, tzinfo=dt.UTC)
EARLIEST_SESSION_MESSAGE = "is before 1950: check the year"
# A resting SpO2 below this is stored, but flagged for follow-up.
LOW_SPO2_THRESHOLD = 90


class Acupoint(models.Model):
    code = models.CharField(max_length=6, unique=True, help_text="WHO standard code, e.g. LI4.")
    pinyin = models.CharField(max_length=40)
    meridian = models.CharField(max_length=40, choices=[(name, name) for name, _ in MERIDIANS.values()])
    pregnancy_caution = models.BooleanField(
        default=False, help_text="Traditionally avoided in pregnancy: warn, do not block."
    )
    position = models.PositiveSmallIntegerField(help_text="Order in the WHO catalogue.")

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.pinyin}"


class Change(models.TextChoices):
    """What the patient reports, as asked after each session. Import files may use -2…2."""

    MUCH_WORSE = "much_worse", "Much worse"
    WORSE = "worse", "Worse"
    SAME = "same", "Same"
    BETTER = "better", "Better"
    MUCH_BETTER = "much_better", "Much better"


IMPROVED = (Change.BETTER, Change.MUCH_BETTER)


class AdverseEvent(models.TextChoices):
    BRUISING = "bruising", "Bruising"
    BLEEDING = "bleeding", "Bleeding"
    PAIN = "pain", "Pain"
    DIZZINESS = "dizziness", "Dizziness or fainting"
    OTHER = "other", "Other (see notes)"


def range_validators(low, high):
    """Return validators keeping a value within low…high inclusive (the database checks it too)."""
    return [MinValueValidator(low), MaxValueValidator(high)]


def _between(field, low, high):
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


class TreatmentSession(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_sessions",
    )
    number = models.PositiveIntegerField(
        help_text="1, 2, 3 … per patient; assigned when the session is logged.", validators=[MinValueValidator(1)]
    )
    started_at = models.DateTimeField(
        db_index=True,
        validators=[MinValueValidator(EARLIEST_SESSION, message=f"The session date {EARLIEST_SESSION_MESSAGE}.")],
    )
    points = models.ManyToManyField(Acupoint, blank=True, related_name="sessions")
    needle_gauge_mm = models.DecimalField(
        "needle gauge (mm)",
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=range_validators(*NEEDLE_GAUGE_RANGE),
    )
    retention_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=range_validators(*RETENTION_RANGE)
    )
    spo2_pre = models.PositiveSmallIntegerField(
        "SpO₂ before (%)", null=True, blank=True, validators=range_validators(*SPO2_RANGE)
    )
    spo2_post = models.PositiveSmallIntegerField(
        "SpO₂ after (%)", null=True, blank=True, validators=range_validators(*SPO2_RANGE)
    )
    pulse_pre = models.PositiveSmallIntegerField(
        "pulse before (bpm)", null=True, blank=True, validators=range_validators(*PULSE_RANGE)
    )
    pulse_post = models.PositiveSmallIntegerField(
        "pulse after (bpm)", null=True, blank=True, validators=range_validators(*PULSE_RANGE)
    )
    warmth_change = models.CharField(max_length=12, choices=Change.choices, blank=True)
    clarity_change = models.CharField(max_length=12, choices=Change.choices, blank=True)
    adverse_events = models.JSONField(default=list, blank=True, help_text="Codes of AdverseEvent; empty means none.")
    safety_acknowledgement = models.TextField(
        blank=True,
        help_text="The safety warnings the practitioner acknowledged before needling.",
    )
    # The rule the import applies to the notes column and the workspace form to its notes (PlainTextField).
    notes = models.TextField(blank=True, validators=[ControlCharacterValidator(allow_line_breaks=True)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[points])

    class Meta:
        ordering = ["patient", "number"]
        get_latest_by = "started_at"
        permissions = [
            ("view_cohort_outcomes", "Can view the cohort outcomes dashboard and exports"),
            ("import_sessions", "Can import historical sessions from a file"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["patient", "number"], name="session_number_unique_per_patient"),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive"),
            models.CheckConstraint(condition=Q(started_at__gte=EARLIEST_SESSION), name="session_started_at_plausible"),
            models.CheckConstraint(condition=_between("spo2_pre", *SPO2_RANGE), name="session_spo2_pre_range"),
            models.CheckConstraint(condition=_between("spo2_post", *SPO2_RANGE), name="session_spo2_post_range"),
            models.CheckConstraint(condition=_between("pulse_pre", *PULSE_RANGE), name="session_pulse_pre_range"),
            models.CheckConstraint(condition=_between("pulse_post", *PULSE_RANGE), name="session_pulse_post_range"),
            models.CheckConstraint(
                condition=_between("needle_gauge_mm", *NEEDLE_GAUGE_RANGE), name="session_needle_gauge_range"
            ),
            models.CheckConstraint(
                condition=_between("retention_minutes", *RETENTION_RANGE), name="session_retention_range"
            ),
            models.CheckConstraint(
                condition=Q(warmth_change="") | Q(warmth_change__in=Change.values),
                name="session_warmth_change_valid",
            ),
            models.CheckConstraint(
                condition=Q(clarity_change="") | Q(clarity_change__in=Change.values),
                name="session_clarity_change_valid",
            ),
        ]
        indexes = [models.Index(fields=["number", "patient"], name="session_number_patient_idx")]

    def __str__(self):
        return f"Session {self.number} for {self.patient.patient_ref}"

    def get_absolute_url(self):
        return reverse("admin:treatment_sessions_treatmentsession_change", args=[self.pk])

    @property
    def needs_follow_up(self):
        """True when a resting SpO₂ reading is below 90%: stored, but to be followed up."""
        return any(reading is not None and reading < LOW_SPO2_THRESHOLD for reading in (self.spo2_pre, self.spo2_post))

    def adverse_event_labels(self):
        """Return the adverse events as people read them; an empty list means none."""
        return [AdverseEvent(code).label if code in AdverseEvent.values else code for code in self.adverse_events]


# A practitioner may correct their own session freely for this long after logging it;
# after that, a correction is an amendment and needs a reason.
EDIT_WINDOW = dt.timedelta(hours=24)

# The fields a correction may change (number, patient and practitioner are fixed once logged).
CORRECTABLE_FIELDS = [
    "started_at",
    "points",
    "needle_gauge_mm",
    "retention_minutes",
    "spo2_pre",
    "spo2_post",
    "pulse_pre",
    "pulse_post",
    "warmth_change",
    "clarity_change",
    "adverse_events",
    "safety_acknowledgement",
    "notes",
]


def session_is_freely_editable(session, user, *, now=None):
    """True when `user` logged `session` less than EDIT_WINDOW ago: a correction needs no reason.

    "Logged" means the session's first history row names `user`: a session that arrived by an
    import or as demo data names its practitioner, but nobody logged it then, so any change to it
    is an amendment with a reason.
    """
    now = now or timezone.now()
    return (
        session.practitioner_id == user.pk
        and now - session.created_at < EDIT_WINDOW
        and session.history.filter(history_type="+", history_user=user).exists()
    )


class SessionAmendment(models.Model):
    """One correction of a logged session: who, when, why, and each changed field's value before and after."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="amendments")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(
        blank=True,
        validators=[ControlCharacterValidator(allow_line_breaks=True)],
        help_text="Required for an amendment made after the 24-hour edit window.",
    )
    changes = models.JSONField(
        help_text='Field name -> {"before": value, "after": value}; points as a list of codes, times in ISO 8601.'
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"Amendment of {self.session} at {self.changed_at:%Y-%m-%d %H:%M}"

    def change_rows(self):
        """Return (label, before, after) for each changed field, in form order, values as people read them."""
        rows = []
        for name in CORRECTABLE_FIELDS:
            if name in self.changes:
                label = TreatmentSession._meta.get_field(name).verbose_name
                change = self.changes[name]
                rows.append((label, _readable(name, change["before"]), _readable(name, change["after"])))
        return rows


def _readable(name, value):
    if value in (None, "", []):
        return "—"
    if name in ("warmth_change", "clarity_change"):
        return Change(value).label if value in Change.values else value
    if name == "adverse_events":
        return ", ".join(AdverseEvent(code).label if code in AdverseEvent.values else code for code in value)
    if name == "points":
        return " ".join(value)
    if name == "started_at":
        moment = timezone.localtime(dt.datetime.fromisoformat(value))
        return f"{moment:%d %b %Y %H:%M}"
    return str(value)
