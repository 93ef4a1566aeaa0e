import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from clinic.lib.roles import PRACTITIONERS

# The reference every intake shows its sender, new patient or not: "IN-" and the first hex digits of its
# submission_key, upper-case. One format for everyone, so a reference never tells whether someone is a patient.
INTAKE_REF_PREFIX = "IN-"
INTAKE_REF_DIGITS = 10

# Unambiguous characters for public references: no 0/O, 1/I/L.
_REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# References appear in URLs: letters, digits and hyphens only.
PATIENT_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}\Z"
PATIENT_REF_VALIDATOR = RegexValidator(
    PATIENT_REF_PATTERN,
    "A reference has up to 32 letters, digits and hyphens, starting with a letter or digit.",
    code="invalid_patient_ref",
)


# A date of birth that makes someone older than this is almost always a mistyped year.
OLDEST_AGE = 120


def earliest_date_of_birth(today):
    """Return the earliest date of birth that makes someone at most OLDEST_AGE years old on `today`."""
    try:
        too_old = today.replace(year=today.year - OLDEST_AGE - 1)
    except ValueError:  # today is 29 February and that year is not a leap year
        too_old = today.replace(year=today.year - OLDEST_AGE - 1, day=28)
    return too_old + dt.timedelta(days=1)


def date_of_birth_problem(born, today):
    """Return why `born` cannot be a date of birth on `today`, or None.

    "future" when it is not before `today`, "too_old" when it makes someone older than
    OLDEST_AGE. The intake form and the historical import word these for their readers.
    """
    if born >= today:
        return "future"
    if born < earliest_date_of_birth(today):
        return "too_old"
    return None


# What erasing a patient's personal details sets (patients.services.patient_details_erase), on the
# patient and every row of their history: names, contact details, the exact date of birth (the year
# is kept in birth_year) and the free text they wrote.
ERASED_DETAILS = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "email": "",
    "phone": "",
    "medications": "",
    "history": "",
}


def erasure_reason_problem(reason, patient):
    """Return why `reason` cannot be kept as the reason for erasing `patient`, or None.

    "required" when it is blank; "repeats_details" when it contains one of the details being
    erased (a name, the email, the phone or the reference), which the record of the erasure must not.
    """
    if not reason.strip():
        return "required"
    details = [patient.first_name, patient.last_name, patient.email, patient.phone, patient.patient_ref]
    folded = reason.casefold()
    if any(len(detail) >= 3 and detail.casefold() in folded for detail in details):
        return "repeats_details"
    return None


# The consents a patient gives, each with the time it was given (`<consent>_at`).
CONSENTS = ("contact_consent", "research_consent")


def consent_time(*, given, given_at, now):
    """Return the time to keep for a consent: the consent rule.

    A consent's time is when it was given: kept while the consent stands, `now` when it stands
    without a time (it has just been given), None once it is withdrawn. Every path that changes a
    consent applies this rule, one patient at a time through this function (the intake, admin) or
    set-based through `consent_times` (the import), which says the same in SQL.
    """
    if not given:
        return None
    return given_at or now


def consent_times(*, now):
    """Return {field: expression} for Patient.objects.filter(…).update(): `consent_time` for many rows.

    The fields are each consent's `<consent>_at`, and `research_consent_withdrawn_at`, set to `now`
    where research consent has just been withdrawn (it is off and still has the time it was given).
    """
    times = {
        f"{consent}_at": Case(
            When(**{consent: False}, then=Value(None, output_field=models.DateTimeField())),
            When(**{f"{consent}_at__isnull": True}, then=Value(now)),
            default=F(f"{consent}_at"),
        )
        for consent in CONSENTS
    }
    times["research_consent_withdrawn_at"] = Case(
        When(research_consent=False, research_consent_at__isnull=False, then=Value(now)),
        default=F("research_consent_withdrawn_at"),
    )
    return times


def new_patient_ref():
    """Return a fresh opaque reference such as `AC-7K3M9Q2P`; it says nothing about the patient."""
    return "AC-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


class Condition(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        # Case-insensitive, so SQLite and PostgreSQL list conditions in the same order.
        ordering = [Lower("name")]

    def __str__(self):
        return self.name

    @property
    def public_name(self):
        """The name as the public pages show it: in the active language when the translations have this
        name (the seeded conditions' names are marked in migration 0002), otherwise as stored."""
        return _(self.name)

    @property
    def public_description(self):
        """The description as the public pages show it (see `public_name`)."""
        return _(self.description) if self.description else ""


# The safety screen: field name -> the question as staff and practitioners read it.
SAFETY_FLAGS = {
    "pregnant": "Pregnant or possibly pregnant",
    "blood_thinners": "Takes blood-thinning medication",
    "bleeding_disorder": "Bleeding disorder",
    "implanted_device": "Pacemaker or implanted electrical device",
    "metal_allergy": "Metal allergy",
    "needle_phobia": "Fainting or needle phobia",
    "reduced_sensation": "Reduced sensation or neuropathy",
    "immunocompromised": "Weakened immune system",
}
# The same flags as compact badges in lists, where the full words would push columns off screen.
SAFETY_FLAGS_SHORT = {
    "pregnant": "Pregnant?",
    "blood_thinners": "Blood thinners",
    "bleeding_disorder": "Bleeding disorder",
    "implanted_device": "Implant",
    "metal_allergy": "Metal allergy",
    "needle_phobia": "Faints / needles",
    "reduced_sensation": "Neuropathy",
    "immunocompromised": "Low immunity",
}

# The intake symptoms checklist: code stored in Patient.symptoms -> label (in English; the intake form
# shows it translated).
SYMPTOMS = {
    "cold_extremities": gettext_noop("Cold hands or feet"),
    "fatigue": gettext_noop("Fatigue"),
    # Translators: 脑雾, the usual Chinese term for post-COVID "brain fog" (认知模糊).
    "brain_fog": gettext_noop("Brain fog"),
    "headaches": gettext_noop("Headaches"),
    "numbness": gettext_noop("Numbness or tingling"),
    # Translators: 间歇性跛行 is the medical term (CNTERM); the patient's words are 走路时腿痛.
    "leg_pain_walking": gettext_noop("Leg pain when walking"),
    "breathlessness": gettext_noop("Shortness of breath"),
}


class Patient(models.Model):
    class Sex(models.TextChoices):
        # English labels (admin); the intake form shows them translated.
        FEMALE = "female", gettext_noop("Female")
        MALE = "male", gettext_noop("Male")
        INTERSEX = "intersex", gettext_noop("Intersex")
        UNDISCLOSED = "undisclosed", gettext_noop("Prefer not to say")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACTIVE = "active", _("Active")
        DISCHARGED = "discharged", _("Discharged")

    patient_ref = models.CharField(
        _("reference"),
        max_length=32,
        unique=True,
        default=new_patient_ref,
        validators=[PATIENT_REF_VALIDATOR],
        help_text=_("Stable public reference, used in URLs and imports."),
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    condition = models.ForeignKey(
        Condition,
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name=_("primary condition"),
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
        limit_choices_to={"groups__name": PRACTITIONERS},
        help_text=_("The practitioner who treats this patient; only they see the record in the workspace."),
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)

    pregnant = models.BooleanField(SAFETY_FLAGS["pregnant"], default=False)
    blood_thinners = models.BooleanField(SAFETY_FLAGS["blood_thinners"], default=False)
    bleeding_disorder = models.BooleanField(SAFETY_FLAGS["bleeding_disorder"], default=False)
    implanted_device = models.BooleanField(SAFETY_FLAGS["implanted_device"], default=False)
    metal_allergy = models.BooleanField(SAFETY_FLAGS["metal_allergy"], default=False)
    needle_phobia = models.BooleanField(SAFETY_FLAGS["needle_phobia"], default=False)
    reduced_sensation = models.BooleanField(SAFETY_FLAGS["reduced_sensation"], default=False)
    immunocompromised = models.BooleanField(SAFETY_FLAGS["immunocompromised"], default=False)

    complaint_duration = models.CharField(_("how long"), max_length=100, blank=True)
    symptoms = models.JSONField(default=list, blank=True, help_text=_("Symptom codes from the intake checklist."))
    previous_acupuncture = models.BooleanField(null=True, blank=True)
    medications = models.TextField(blank=True)
    history = models.TextField(_("relevant history"), blank=True)

    contact_consent = models.BooleanField(_("consents to be contacted"), default=False)
    contact_consent_at = models.DateTimeField(null=True, blank=True)
    research_consent = models.BooleanField(
        _("consents to anonymised research use"),
        default=False,
        help_text=_("Only consenting patients count in published outcome figures."),
    )
    research_consent_at = models.DateTimeField(null=True, blank=True)
    research_consent_withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "When research consent was last withdrawn: every published figure leaves the patient out from "
            "then on (figures published or downloaded before cannot be recalled)."
        ),
    )
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Kept when the personal details are erased: the year of birth only.")
    )
    personal_details_erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When names, contact details, the exact date of birth and free text were erased; the clinical "
            "record stays, anonymous."
        ),
    )

    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Synthetic record made by seed_demo, not a real person.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_log = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [("erase_patient", "Can erase a patient's personal details")]
        indexes = [
            models.Index(Lower("email"), "date_of_birth", name="patient_email_dob_idx"),
            models.Index(fields=["practitioner", "status"], name="patient_practitioner_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.patient_ref})"

    def get_absolute_url(self):
        return reverse("admin:patients_patient_change", args=[self.pk])

    @property
    def full_name(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return name or ("Erased patient" if self.personal_details_erased_at else "")

    def consents_settle(self, *, now):
        """Set each consent's time by the consent rule (`consent_time`), and the time research consent
        was withdrawn when it just was; call before saving."""
        if not self.research_consent and self.research_consent_at is not None:
            self.research_consent_withdrawn_at = now
        for consent in CONSENTS:
            at = f"{consent}_at"
            setattr(self, at, consent_time(given=getattr(self, consent), given_at=getattr(self, at), now=now))

    def safety_flag_labels(self):
        """Return the labels of the safety flags set for this patient, in screen order."""
        return [label for field, label in SAFETY_FLAGS.items() if getattr(self, field)]


class IntakeSubmission(models.Model):
    """One answer to the public assessment form, kept exactly as submitted."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intake_submissions")
    answers = models.JSONField(help_text=_("The answers as submitted; never edited."))
    form_version = models.CharField(max_length=20)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submission_key = models.UUIDField(
        unique=True,
        null=True,
        blank=True,
        help_text=_("Sent with the form, so a double submit is recognised and stored once."),
    )
    matched_existing_patient = models.BooleanField(
        default=False, help_text=_("Attached to a patient who already had a record: check the details.")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en-gb",
        help_text=_("The language the patient filled the form in: reply in it."),
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(reviewed_by__isnull=True, reviewed_at__isnull=True)
                    | models.Q(reviewed_by__isnull=False, reviewed_at__isnull=False)
                ),
                name="intake_reviewed_by_and_at_together",
            )
        ]

    def __str__(self):
        return f"Intake {self.pk} for {self.patient.patient_ref}"

    @property
    def public_reference(self):
        """The reference shown to whoever sent the form, on the thanks page and in the email.

        The submission's own, in the same format whether or not the sender matched an existing
        record, so typing someone's email and birthday reveals neither that they are a patient nor
        their patient reference.
        """
        key = self.submission_key or uuid.UUID(int=self.pk)
        return INTAKE_REF_PREFIX + key.hex[:INTAKE_REF_DIGITS].upper()


# The answers staff compare with the record when an intake matches an existing patient, and may accept
# one by one: everything the form asks except the date of birth, which matched.
INTAKE_REVIEW_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "email",
    "phone",
    "condition",
    *SAFETY_FLAGS,
    "complaint_duration",
    "symptoms",
    "previous_acupuncture",
    "medications",
    "history",
    *CONSENTS,
)


class IntakeAnswerAccepted(models.Model):
    """One answer of an intake that matched an existing patient, copied onto the record by staff.

    `before` and `after` are the record's value as an answer (the condition as its slug).
    """

    submission = models.ForeignKey(IntakeSubmission, on_delete=models.PROTECT, related_name="accepted_answers")
    field = models.CharField(max_length=50, choices=[(name, name) for name in INTAKE_REVIEW_FIELDS])
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["accepted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "field"], name="intake_answer_accepted_once"),
        ]

    def __str__(self):
        return f"{self.field} from intake {self.submission_id}"


class PatientErasure(models.Model):
    """That a patient's personal details were erased, or their record deleted: who, when and why, and
    nothing of what was erased."""

    class Kind(models.TextChoices):
        DETAILS_ERASED = "details_erased", _("Personal details erased")
        RECORD_DELETED = "record_deleted", _("Record deleted")

    patient = models.ForeignKey(
        Patient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasures",
        help_text=_("The anonymous record that remains; empty when the record itself was deleted."),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(help_text=_("Why, in words that do not repeat the erased details."))

    class Meta:
        ordering = ["-erased_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="patient_erasure_has_reason")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.erased_at:%Y-%m-%d %H:%M}"
