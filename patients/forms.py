import uuid

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from clinic.lib.roles import PRACTITIONERS
from patients.models import (
    OLDEST_AGE,
    SAFETY_FLAGS,
    SYMPTOMS,
    Condition,
    Patient,
    date_of_birth_problem,
    earliest_date_of_birth,
)
from patients.services import erasure_reason_check
from patients.validators import ControlCharacterValidator

# Stored with every IntakeSubmission; change it whenever questions or answer codes change.
INTAKE_FORM_VERSION = "2026.1"

FREE_TEXT_MAX_LENGTH = 2000

# The safety screen, asked in the patient's words; keys are the Patient fields. The Translators: comments
# name where each medical term's translation comes from (makemessages copies them into the .po files).
SAFETY_QUESTIONS = {
    # Translators: 妊娠 / 怀孕 as in the pregnancy warnings of Chinese package inserts (孕妇及哺乳期妇女用药).
    "pregnant": _("Are you pregnant, or could you be pregnant?"),
    # Translators: 抗凝药 (anticoagulant), 华法林, 阿哌沙班, 阿司匹林: the generic names of the Chinese package
    # inserts and the Chinese Pharmacopoeia (中国药典).
    "blood_thinners": _("Do you take blood-thinning medication (for example warfarin, apixaban or daily aspirin)?"),
    # Translators: 出血性疾病, 血友病: the terms of 全国科学技术名词审定委员会 (CNTERM), 医学名词.
    "bleeding_disorder": _("Do you have a bleeding disorder (for example haemophilia)?"),
    # Translators: 心脏起搏器, 植入式电子设备: CNTERM 医学名词; the wording of NMPA device labels.
    "implanted_device": _("Do you have a pacemaker or another implanted electrical device?"),
    # Translators: 金属过敏, 镍: CNTERM 医学名词 (皮肤病学).
    "metal_allergy": _("Are you allergic to any metal (for example nickel)?"),
    # Translators: 晕厥 (fainting; 晕倒 in everyday words), 晕针 (fainting when needled: 针灸学 textbooks), 扎针.
    "needle_phobia": _("Do you faint easily, or are you very afraid of needles?"),
    # Translators: 感觉减退, 神经病变 (周围神经病变): CNTERM 医学名词 (神经病学).
    "reduced_sensation": _("Do you have reduced feeling in your skin, or neuropathy?"),
    # Translators: 免疫功能低下, 化疗: CNTERM 医学名词.
    "immunocompromised": _("Is your immune system weakened (for example by chemotherapy or medication)?"),
}
assert SAFETY_QUESTIONS.keys() == SAFETY_FLAGS.keys()

# Stored as written here, in English, whatever language the form was shown in (the label is translated).
COMPLAINT_DURATIONS = [
    gettext_noop("Less than 3 months"),
    gettext_noop("3 to 12 months"),
    gettext_noop("1 to 5 years"),
    gettext_noop("More than 5 years"),
]

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
PREVIOUS_ACUPUNCTURE_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))]
PREVIOUS_ACUPUNCTURE = {"yes": True, "no": False, "unsure": None}
# Patient.previous_acupuncture as the patient answered it: None is "Not sure", never "Unknown".
PREVIOUS_ACUPUNCTURE_WORDS = {PREVIOUS_ACUPUNCTURE[code]: words for code, words in PREVIOUS_ACUPUNCTURE_CHOICES}


def symptom_words(codes):
    """Return symptom codes as the checklist names them, "Cold hands or feet, Fatigue"; a dash for none."""
    return ", ".join(str(SYMPTOMS.get(code, code)) for code in codes or []) or "–"


# The conditions the intake form last offered, as (slug, name): the form can be shown again while
# the database cannot be reached (IntakeForm.unsaved).
_conditions_offered = []


class _RememberedConditions(ModelChoiceIterator):
    def __iter__(self):
        choices = list(super().__iter__())
        _conditions_offered[:] = [(str(value), label) for value, label in choices if value != ""]
        yield from choices


class ConditionChoiceField(forms.ModelChoiceField):
    iterator = _RememberedConditions

    def label_from_instance(self, obj):
        return obj.public_name


def _model_max_length(field_name):
    return Patient._meta.get_field(field_name).max_length


class PlainTextField(forms.CharField):
    """A CharField that refuses control characters (NUL included) and keeps every script and emoji."""

    def __init__(self, *, allow_line_breaks=False, **kwargs):
        super().__init__(**kwargs)
        # One clear message instead of Django's separate one for NUL.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators.append(ControlCharacterValidator(allow_line_breaks=allow_line_breaks))


def _yes_no_field(question):
    return forms.TypedChoiceField(
        label=question,
        choices=YES_NO,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )


class IntakeForm(forms.Form):
    """The public free assessment. Saving is `patients.services.intake_submit`'s job."""

    # A field people never see; a bot that fills it in is answered politely and ignored.
    HONEYPOT = "website"

    first_name = PlainTextField(
        max_length=_model_max_length("first_name"),
        label=_("First name"),
        error_messages={"required": _("Enter your first name.")},
    )
    last_name = PlainTextField(
        max_length=_model_max_length("last_name"),
        label=_("Last name"),
        error_messages={"required": _("Enter your last name.")},
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter your date of birth as day/month/year, for example 31/03/1970."),
        },
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", _("Choose…")), *[(value, _(label)) for value, label in Patient.Sex.choices]],
        error_messages={"required": _("Choose an answer (or “Prefer not to say”).")},
    )
    email = forms.EmailField(
        max_length=_model_max_length("email"),
        label=_("Email address"),
        help_text=_("We send your confirmation here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    phone = PlainTextField(
        max_length=_model_max_length("phone"),
        required=False,
        label=_("Phone number (optional)"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    condition = ConditionChoiceField(
        label=_("What would you like help with?"),
        queryset=Condition.objects.all(),
        to_field_name="slug",
        empty_label=_("Choose the closest match…"),
        error_messages={"required": _("Choose what you would like help with (or “Other”).")},
        help_text=_("Choose “Other” if nothing fits; you can describe it below."),
    )
    complaint_duration = forms.ChoiceField(
        label=_("How long have you had it?"),
        choices=[(duration, _(duration)) for duration in COMPLAINT_DURATIONS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long you have had it.")},
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Which of these do you notice? (tick all that apply)"),
        choices=[(code, _(label)) for code, label in SYMPTOMS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    medications = PlainTextField(
        label=_("Medicines you take now (optional)"),
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
        allow_line_breaks=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    history = PlainTextField(
        label=_("Anything else about your health we should know (optional)"),
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
        allow_line_breaks=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example diagnoses, operations, or what has helped so far."),
    )

    pregnant = _yes_no_field(SAFETY_QUESTIONS["pregnant"])
    blood_thinners = _yes_no_field(SAFETY_QUESTIONS["blood_thinners"])
    bleeding_disorder = _yes_no_field(SAFETY_QUESTIONS["bleeding_disorder"])
    implanted_device = _yes_no_field(SAFETY_QUESTIONS["implanted_device"])
    metal_allergy = _yes_no_field(SAFETY_QUESTIONS["metal_allergy"])
    needle_phobia = _yes_no_field(SAFETY_QUESTIONS["needle_phobia"])
    reduced_sensation = _yes_no_field(SAFETY_QUESTIONS["reduced_sensation"])
    immunocompromised = _yes_no_field(SAFETY_QUESTIONS["immunocompromised"])

    previous_acupuncture = forms.TypedChoiceField(
        label=_("Have you had acupuncture before?"),
        choices=PREVIOUS_ACUPUNCTURE_CHOICES,
        coerce=PREVIOUS_ACUPUNCTURE.get,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, no or not sure.")},
    )

    contact_consent = forms.BooleanField(
        label=_("I agree that the clinic may contact me by email or phone about this assessment and my treatment."),
        error_messages={"required": _("Tick this box: we can only reply if you agree to be contacted.")},
    )
    research_consent = forms.BooleanField(
        label=_("I agree that my anonymised measurements may be used in the clinic's outcome research (optional)."),
        required=False,
        help_text=_("Nobody outside the clinic ever sees your name; saying no does not change your care."),
    )

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        earliest = earliest_date_of_birth(today)
        self.fields["date_of_birth"].widget.attrs.update({"max": today.isoformat(), "min": earliest.isoformat()})
        self.helper = FormHelper()
        self.helper.form_id = "intake-form"
        self.helper.form_class = "intake-form"
        # The server checks everything and explains each problem beside its field.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                _("About you"),
                Div(Div("first_name", css_class="col-sm-6"), Div("last_name", css_class="col-sm-6"), css_class="row"),
                Div(Div("date_of_birth", css_class="col-sm-6"), Div("sex", css_class="col-sm-6"), css_class="row"),
                "email",
                "phone",
                css_class="intake-section",
            ),
            Fieldset(
                _("Your concern"),
                "condition",
                "complaint_duration",
                "symptoms",
                "medications",
                "history",
                css_class="intake-section",
            ),
            Fieldset(
                _("Safety questions"),
                HTML(
                    format_html(
                        '<p class="text-body-secondary">{}</p>',
                        _(
                            "Some treatments need care with these. "
                            "Please answer each one; your practitioner will talk them through with you."
                        ),
                    )
                ),
                *[InlineRadios(field) for field in SAFETY_QUESTIONS],
                css_class="intake-section",
            ),
            Fieldset(_("Acupuncture before"), InlineRadios("previous_acupuncture"), css_class="intake-section"),
            Fieldset(_("Consent"), "contact_consent", "research_consent", css_class="intake-section"),
            Div(Field(self.HONEYPOT), css_class="intake-extra", aria_hidden="true"),
            "submission_key",
            Submit("send", _("Send my assessment"), css_class="btn-brand btn-lg"),
        )

    @classmethod
    def unsaved(cls, data):
        """Return an unbound form showing `data` (what was posted) again, built without the database.

        For when the database cannot be reached: nothing is validated, and the condition list is the one
        this process last offered (or only the posted choice, if it has offered none yet).
        """
        initial = {
            name: data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data.get(name)
            for name, field in cls.base_fields.items()
            if name in data
        }
        form = cls(initial=initial)
        chosen = data.get("condition", "")
        offered = list(_conditions_offered) or ([(chosen, chosen)] if chosen else [])
        condition = form.fields["condition"]
        form.fields["condition"] = forms.ChoiceField(
            label=condition.label, help_text=condition.help_text, choices=[("", condition.empty_label), *offered]
        )
        return form

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        problem = date_of_birth_problem(born, timezone.localdate())
        if problem == "future":
            raise forms.ValidationError(_("Your date of birth must be in the past."), code="future")
        if problem == "too_old":
            raise forms.ValidationError(
                _("Please check the year: that date would make you over %(oldest)s."),
                code="too_old",
                params={"oldest": OLDEST_AGE},
            )
        return born

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone and (
            any(not (char.isdigit() or char in "+()-. ") for char in phone) or sum(c.isdigit() for c in phone) < 6
        ):
            raise forms.ValidationError(
                _("Enter a phone number using digits, spaces and + ( ) - only, for example +44 20 7946 0000."),
                code="invalid_phone",
            )
        return phone

    def clean_submission_key(self):
        """Return the form's UUID, or None when it is missing or not a UUID (then no double-submit check)."""
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return None


class PatientAdminForm(forms.ModelForm):
    """A patient in admin, in the intake's words: symptoms as its checklist, "Not sure" as the patient said it."""

    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), choices=list(SYMPTOMS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )
    previous_acupuncture = forms.TypedChoiceField(
        label=_("Had acupuncture before"),
        choices=PREVIOUS_ACUPUNCTURE_CHOICES,
        coerce=PREVIOUS_ACUPUNCTURE.get,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Patient
        fields = [
            "status",
            "condition",
            "practitioner",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            *SAFETY_FLAGS,
            "complaint_duration",
            "symptoms",
            "previous_acupuncture",
            "medications",
            "history",
            "contact_consent",
            "research_consent",
            "is_demo",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A code the checklist no longer has (an older form) stays a choice, so saving keeps it.
        stored = [code for code in self.instance.symptoms or [] if code not in SYMPTOMS]
        self.fields["symptoms"].choices += [(code, code) for code in stored]
        answered = {value: code for code, value in PREVIOUS_ACUPUNCTURE.items()}
        self.initial["previous_acupuncture"] = answered[self.instance.previous_acupuncture]


class ErasureForm(forms.Form):
    """The confirmation page of "erase personal details": why, and that it cannot be undone."""

    reason = PlainTextField(
        label=_("Why are these details erased?"),
        allow_line_breaks=True,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example “erasure requested by email, received 3 March”. It is kept with the record of the "
            "erasure, so do not repeat a name, email, phone or reference."
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that the erased details cannot be brought back, from this page or from backups "
            "made from now on."
        )
    )

    def __init__(self, *args, patients, **kwargs):
        super().__init__(*args, **kwargs)
        self.patients = patients

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        erasure_reason_check(reason=reason, patients=self.patients)
        return reason


class AssignPractitionerForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        queryset=get_user_model()
        .objects.filter(groups__name=PRACTITIONERS, is_active=True)
        .order_by("last_name", "first_name", "username"),
        empty_label=_("Choose a practitioner…"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].label_from_instance = lambda user: user.get_full_name() or user.username
