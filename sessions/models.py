import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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
    code = models.CharField(max_length=6, unique=True, help_text=_("WHO standard code, e.g. LI4."))
    pinyin = models.CharField(max_length=40)
    meridian = models.CharField(max_length=40, choices=[(name, name) for name, _ in MERIDIANS.values()])
    pregnancy_caution = models.BooleanField(
        default=False, help_text=_("Traditionally avoided in pregnancy: warn, do not block.")
    )
    position = models.PositiveSmallIntegerField(help_text=_("Order in the WHO catalogue."))

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.pinyin}"


class Change(models.TextChoices):
    """What the patient reports, as asked after each session. Import files may use -2…2."""

    MUCH_WORSE = "much_worse", _("Much worse")
    WORSE = "worse", _("Worse")
    SAME = "same", _("Same")
    BETTER = "better", _("Better")
    MUCH_BETTER = "much_better", _("Much better")


IMPROVED = (Change.BETTER, Change.MUCH_BETTER)


class AdverseEvent(models.TextChoices):
    BRUISING = "bruising", _("Bruising")
    BLEEDING = "bleeding", _("Bleeding")
    PAIN = "pain", _("Pain")
    DIZZINESS = "dizziness", _("Dizziness or fainting")
    OTHER = "other", _("Other (see notes)")


PGIC = "pgic"
PGIC_RANGE = (1, 7)
# PGIC 1 (very much improved) and 2 (much improved): the usual definition of a responder.
PGIC_RESPONDER = (1, 2)


class Instrument(models.Model):
    """One question of a patient-reported outcome measure, answered on a whole-number scale.

    Instruments are data, not schema: PGIC (public domain) is seeded by a migration; a clinic
    licensed for another measure (MYMOP, for example) adds its questions here in admin, with the
    text of its own licence, and the session form asks them. Answers live in
    `TreatmentSession.instrument_answers` under the instrument's `code`. The questions of one
    multi-item measure share `questionnaire` (one FHIR Questionnaire).
    """

    code = models.SlugField(
        max_length=40, unique=True, help_text=_("Key of the answer in a session, e.g. pgic; never changed once used.")
    )
    questionnaire = models.SlugField(max_length=40, help_text=_("The measure this question belongs to, e.g. pgic."))
    name = models.CharField(max_length=80, help_text=_("Short name, e.g. PGIC."))
    question = models.TextField(help_text=_("As asked to the patient."))
    scale_min = models.SmallIntegerField()
    scale_max = models.SmallIntegerField()
    answer_labels = models.JSONField(help_text=_("The label of each answer, from scale_min up."))
    licence = models.CharField(max_length=200, blank=True, help_text=_("Who may use the text, e.g. public domain."))
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order on the session form."))
    active = models.BooleanField(default=True, help_text=_("Asked on the session form."))

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__lt=models.F("scale_max")), name="instrument_scale_ordered"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.scale_min is None or self.scale_max is None:
            return
        expected = self.scale_max - self.scale_min + 1
        labels = self.answer_labels
        if not isinstance(labels, list) or len(labels) != expected or not all(isinstance(x, str) for x in labels):
            raise ValidationError(
                {"answer_labels": f"Give one label (text) for each of the {expected} answers, as a JSON list."},
                code="labels",
            )

    @property
    def values(self):
        return range(self.scale_min, self.scale_max + 1)

    def label(self, value):
        """Return the answer's label, e.g. "2: Much improved"."""
        return f"{value}: {self.answer_labels[value - self.scale_min]}"


def validate_instrument_answers(answers):
    """Raise ValidationError unless `answers` maps known instrument codes to whole numbers on their scale."""
    if not isinstance(answers, dict):
        raise ValidationError("Instrument answers must be an object.", code="invalid")
    instruments = Instrument.objects.in_bulk(list(answers), field_name="code") if answers else {}
    for code, value in answers.items():
        instrument = instruments.get(code)
        if instrument is None:
            raise ValidationError("%(code)s is not an instrument.", code="unknown_instrument", params={"code": code})
        if isinstance(value, bool) or not isinstance(value, int) or value not in instrument.values:
            raise ValidationError(
                "%(name)s must be a whole number from %(low)s to %(high)s.",
                code="out_of_range",
                params={"name": instrument.name, "low": instrument.scale_min, "high": instrument.scale_max},
            )


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
        help_text=_("1, 2, 3 … per patient; assigned when the session is logged."), validators=[MinValueValidator(1)]
    )
    started_at = models.DateTimeField(
        db_index=True,
        validators=[MinValueValidator(EARLIEST_SESSION, message=f"The session date {EARLIEST_SESSION_MESSAGE}.")],
    )
    points = models.ManyToManyField(Acupoint, blank=True, related_name="sessions")
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
    spo2_pre = models.PositiveSmallIntegerField(
        _("SpO₂ before (%)"), null=True, blank=True, validators=range_validators(*SPO2_RANGE)
    )
    spo2_post = models.PositiveSmallIntegerField(
        _("SpO₂ after (%)"), null=True, blank=True, validators=range_validators(*SPO2_RANGE)
    )
    pulse_pre = models.PositiveSmallIntegerField(
        _("pulse before (bpm)"), null=True, blank=True, validators=range_validators(*PULSE_RANGE)
    )
    pulse_post = models.PositiveSmallIntegerField(
        _("pulse after (bpm)"), null=True, blank=True, validators=range_validators(*PULSE_RANGE)
    )
    warmth_change = models.CharField(max_length=12, choices=Change.choices, blank=True)
    clarity_change = models.CharField(max_length=12, choices=Change.choices, blank=True)
    adverse_events = models.JSONField(default=list, blank=True, help_text=_("Codes of AdverseEvent; empty means none."))
    instrument_answers = models.JSONField(
        _("outcome measures"),
        default=dict,
        blank=True,
        validators=[validate_instrument_answers],
        help_text=_(
            'Answers to outcome measures by instrument code, e.g. {"pgic": 2}; a question not asked is absent.'
        ),
    )
    safety_acknowledgement = models.TextField(
        blank=True,
        help_text=_("The safety warnings the practitioner acknowledged before needling."),
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
            models.CheckConstraint(
                condition=Q(**{f"instrument_answers__{PGIC}__isnull": True})
                | Q(**{f"instrument_answers__{PGIC}__in": list(range(PGIC_RANGE[0], PGIC_RANGE[1] + 1))}),
                name="session_pgic_range",
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

    @property
    def pgic(self):
        """The PGIC answer (1 = very much improved … 7 = very much worse), None when not asked."""
        return self.instrument_answers.get(PGIC)

    def adverse_event_labels(self):
        """Return the adverse events as people read them; an empty list means none."""
        return [str(AdverseEvent(code).label) if code in AdverseEvent.values else code for code in self.adverse_events]


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
    "instrument_answers",
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
        help_text=_("Required for an amendment made after the 24-hour edit window."),
    )
    changes = models.JSONField(
        help_text=_('Field name -> {"before": value, "after": value}; points as a list of codes, times in ISO 8601.')
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
    if value in (None, "", [], {}):
        return "—"
    if name in ("warmth_change", "clarity_change"):
        return str(Change(value).label) if value in Change.values else value
    if name == "adverse_events":
        return ", ".join(str(AdverseEvent(code).label) if code in AdverseEvent.values else code for code in value)
    if name == "points":
        return " ".join(value)
    if name == "instrument_answers":
        return ", ".join(f"{code}: {answer}" for code, answer in sorted(value.items()))
    if name == "started_at":
        moment = timezone.localtime(dt.datetime.fromisoformat(value))
        return f"{moment:%d %b %Y %H:%M}"
    return str(value)
