"""The workspace's forms: logging and correcting a session, and confirming a treatment plan."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.forms import PlainTextField
from protocols.models import INTERVAL_DAYS_RANGE, PLANNED_SESSIONS_RANGE
from sessions.acupoints import parse_point_codes
from sessions.models import (
    CORRECTABLE_FIELDS,
    EARLIEST_SESSION,
    EARLIEST_SESSION_MESSAGE,
    NEEDLE_GAUGE_RANGE,
    PULSE_RANGE,
    RETENTION_RANGE,
    SPO2_RANGE,
    Acupoint,
    AdverseEvent,
    Change,
    Instrument,
)
from sessions.safety import (
    CAUTION_POINTS,
    electrostimulation_ruled_out,
    needling_needs_acknowledgement,
    rules_for,
    safety_warnings,
)
from sessions.selectors import next_session_number

STANDARD_GAUGES = ["0.16", "0.18", "0.20", "0.22", "0.25"]
OTHER_GAUGE = "other"
NO_ADVERSE_EVENT = "none"
# Each active outcome measure (sessions.Instrument) is a field named ANSWER_PREFIX + its code.
ANSWER_PREFIX = "answer_"
NOT_ASKED = ("", "Not asked")
CHOICE_BUTTONS = "practice/fields/choice_buttons.html"


NEEDLE_GAUGE_ERRORS = {
    "min_value": "A needle gauge is from 0.12 to 0.40 mm.",
    "max_value": "A needle gauge is from 0.12 to 0.40 mm.",
    "max_decimal_places": "Give the gauge to two decimal places, e.g. 0.30.",
    "invalid": "Enter the gauge in millimetres, e.g. 0.30.",
}


def whole_number_field(label, name, low, high, unit="", *, required=False, **attrs):
    """Return an IntegerField whose every complaint names the field and its range, in the clinic's words.

    `name` starts the message ("SpO₂ before must be a whole number from 50 to 100."); a required
    field left empty gets the same message. `attrs` go on the number input.
    """
    # No "%" in the message: Django %-formats messages that carry parameters.
    message = f"{name} must be a whole number from {low} to {high}{unit}."
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={"required": message, "min_value": message, "max_value": message, "invalid": message},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **attrs}),
    )


def safety_fieldset(notice_template):
    """The form section that shows the safety notice (a template) above the acknowledge_safety tick."""
    return Fieldset(
        "Safety",
        HTML(f'{{% include "{notice_template}" %}}'),
        Field("acknowledge_safety", wrapper_class="safety-acknowledgement"),
        css_class="safety-fieldset",
    )


def require_acknowledgement(form, warnings):
    """Keep `warnings` (SafetyWarnings) on `form.safety_warnings`; if any, the acknowledge_safety tick is required."""
    form.safety_warnings = warnings
    if warnings and not form.cleaned_data.get("acknowledge_safety"):
        form.add_error(
            "acknowledge_safety",
            ValidationError("Tick to confirm you have read the safety warnings.", code="not_acknowledged"),
        )


def _local_minute(moment):
    return timezone.localtime(moment).replace(second=0, microsecond=0)


class SessionForm(forms.Form):
    """A treatment session as the practitioner enters it. `cleaned_data` maps onto session_log's arguments.

    Pass `patient` (the safety warnings depend on their flags). For a correction, pass `session`
    (its values become the initial ones) and `reason_required`.
    """

    started_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Enter when the session took place.", "invalid": "Enter a valid date and time."},
    )
    points = forms.CharField(
        label=_("Points"),
        required=False,
        help_text=_(
            "Type codes separated by spaces or commas, e.g. li4 sp6 sj5 (SJ, LV, DU and REN are understood), "
            "or find them in the list below."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    needle_gauge = forms.ChoiceField(
        label=_("Needle gauge (mm)"),
        required=False,
        choices=[(gauge, gauge) for gauge in STANDARD_GAUGES] + [(OTHER_GAUGE, "Other")],
        widget=forms.RadioSelect,
    )
    needle_gauge_other = forms.DecimalField(
        label=_("Other gauge (mm)"),
        required=False,
        min_value=NEEDLE_GAUGE_RANGE[0],
        max_value=NEEDLE_GAUGE_RANGE[1],
        decimal_places=2,
        help_text=_("Only when you chose Other: 0.12 to 0.40 mm."),
        error_messages=NEEDLE_GAUGE_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    retention_minutes = whole_number_field("Retention (minutes)", "Retention", *RETENTION_RANGE, " minutes")
    spo2_pre = whole_number_field("SpO₂ before (%)", "SpO₂ before", *SPO2_RANGE)
    spo2_post = whole_number_field("SpO₂ after (%)", "SpO₂ after", *SPO2_RANGE)
    pulse_pre = whole_number_field("Pulse before (bpm)", "Pulse before", *PULSE_RANGE, " beats per minute")
    pulse_post = whole_number_field("Pulse after (bpm)", "Pulse after", *PULSE_RANGE, " beats per minute")
    warmth_change = forms.ChoiceField(
        label=_("Warmth in hands and feet"), required=False, choices=Change.choices, widget=forms.RadioSelect
    )
    clarity_change = forms.ChoiceField(
        label=_("Mental clarity"), required=False, choices=Change.choices, widget=forms.RadioSelect
    )
    adverse_events = forms.MultipleChoiceField(
        label=_("Adverse events"),
        required=False,
        choices=[(NO_ADVERSE_EVENT, "None"), *AdverseEvent.choices],
        widget=forms.CheckboxSelectMultiple,
    )
    # No control characters, line breaks and tabs allowed: the import's rule for the same column.
    notes = PlainTextField(
        label=_("Notes"), required=False, allow_line_breaks=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    acknowledge_safety = forms.BooleanField(
        label=_("I have read the safety warnings for this patient and will needle with them in mind."), required=False
    )

    def __init__(self, *args, patient, session=None, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.session = session
        self.safety_warnings = []
        if session is None:
            self.initial.setdefault("started_at", _local_minute(timezone.now()))
            self.initial.setdefault("adverse_events", [NO_ADVERSE_EVENT])
        else:
            self.initial.update(self._values_of(session))
        if not needling_needs_acknowledgement(patient=patient):
            del self.fields["acknowledge_safety"]
        self.instruments = list(Instrument.objects.filter(active=True))
        for instrument in self.instruments:
            self.fields[ANSWER_PREFIX + instrument.code] = forms.TypedChoiceField(
                label=instrument.question,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[NOT_ASKED, *((value, instrument.label(value)) for value in instrument.values)],
                widget=forms.RadioSelect,
                help_text=f"{instrument.name}: asked by you or tapped by the patient.",
            )
        if session is not None:
            for code, value in session.instrument_answers.items():
                self.initial[ANSWER_PREFIX + code] = value
        if session is not None:
            self.fields["reason"] = PlainTextField(
                label=_("Reason for the change"),
                allow_line_breaks=True,
                required=reason_required,
                help_text=_(
                    "Required: this session was logged more than 24 hours ago, by someone else or by an import."
                )
                if reason_required
                else "Optional within 24 hours of logging your own session.",
                error_messages={"required": "Say why this session is being amended."},
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["started_at"].widget.attrs["max"] = _local_minute(timezone.now()).strftime("%Y-%m-%dT%H:%M")
        self.fields["started_at"].widget.attrs["min"] = _local_minute(EARLIEST_SESSION).strftime("%Y-%m-%dT%H:%M")
        self.latest_session = self._latest_session_after_posted_date()
        if self.latest_session is not None:
            self.fields["confirm_earlier_date"] = forms.BooleanField(
                label=(
                    f"Yes, log it anyway: it becomes session {next_session_number(patient=patient)}, after session "
                    f"{self.latest_session.number} of {timezone.localtime(self.latest_session.started_at):%d %b %Y}."
                ),
                required=False,
            )
        self.helper = self._helper()

    def _latest_session_after_posted_date(self):
        """The patient's latest session when a new session is posted with an earlier date, else None.

        Sessions are numbered in the order they are logged, and the cohort table counts sessions by
        number, so a session entered late is confirmed rather than numbered after later ones silently.
        """
        if self.session is not None or not self.is_bound:
            return None
        try:
            posted = self.fields["started_at"].clean(self.data.get(self.add_prefix("started_at")))
        except ValidationError:
            return None
        latest = self.patient.sessions.order_by("-started_at").first()
        return latest if latest is not None and posted < latest.started_at else None

    @staticmethod
    def _values_of(session):
        gauge = f"{session.needle_gauge_mm:.2f}" if session.needle_gauge_mm is not None else ""
        return {
            "started_at": _local_minute(session.started_at),
            "points": " ".join(point.code for point in session.points.order_by("position")),
            "needle_gauge": gauge if gauge in STANDARD_GAUGES or not gauge else OTHER_GAUGE,
            "needle_gauge_other": session.needle_gauge_mm if gauge and gauge not in STANDARD_GAUGES else None,
            "retention_minutes": session.retention_minutes,
            "spo2_pre": session.spo2_pre,
            "spo2_post": session.spo2_post,
            "pulse_pre": session.pulse_pre,
            "pulse_post": session.pulse_post,
            "warmth_change": session.warmth_change,
            "clarity_change": session.clarity_change,
            "adverse_events": session.adverse_events or [NO_ADVERSE_EVENT],
            "notes": session.notes,
            "acknowledge_safety": bool(session.safety_acknowledgement),
        }

    def _helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        when = [Field("started_at")]
        if "confirm_earlier_date" in self.fields:
            when.append(Field("confirm_earlier_date", wrapper_class="earlier-date-confirmation"))
        sections = [
            Fieldset("When", *when),
            Fieldset(
                "Points and needles",
                Field("points", css_class="font-monospace"),
                HTML('{% include "practice/point_picker.html" %}'),
                Field("needle_gauge", template=CHOICE_BUTTONS),
                Field("needle_gauge_other"),
                Field("retention_minutes"),
            ),
            Fieldset(
                "Readings",
                Row(Column("spo2_pre", css_class="col-6"), Column("spo2_post", css_class="col-6")),
                Row(Column("pulse_pre", css_class="col-6"), Column("pulse_post", css_class="col-6")),
            ),
            Fieldset(
                "What the patient reports",
                Field("warmth_change", template=CHOICE_BUTTONS),
                Field("clarity_change", template=CHOICE_BUTTONS),
                *(
                    Field(ANSWER_PREFIX + instrument.code, template=CHOICE_BUTTONS, wrapper_class="instrument-answer")
                    for instrument in self.instruments
                ),
                Field("adverse_events", template=CHOICE_BUTTONS),
                Field("notes"),
            ),
        ]
        if "acknowledge_safety" in self.fields:
            sections.append(safety_fieldset("practice/safety_notice.html"))
        if "reason" in self.fields:
            sections.append(Fieldset("Correction", Field("reason")))
        helper.layout = Layout(*sections)
        return helper

    def clean_started_at(self):
        started_at = self.cleaned_data["started_at"]
        if started_at > timezone.now():
            raise ValidationError("The session cannot be in the future.", code="future")
        if started_at < EARLIEST_SESSION:
            raise ValidationError(f"The session date {EARLIEST_SESSION_MESSAGE}.", code="too_early")
        born = self.patient.date_of_birth
        if born and timezone.localdate(started_at) < born:
            raise ValidationError(
                "The session is before the patient's date of birth (%(born)s): check the date.",
                code="before_birth",
                params={"born": f"{born:%d %b %Y}"},
            )
        # An unchanged time comes back without seconds; keep the stored one rather than record a change.
        if self.session is not None and started_at == _local_minute(self.session.started_at):
            return self.session.started_at
        return started_at

    def clean_points(self):
        codes = parse_point_codes(self.cleaned_data["points"])
        found = {point.code: point for point in Acupoint.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(
                "Not in the catalogue: %(codes)s.", code="unknown_acupoint", params={"codes": ", ".join(missing)}
            )
        return [found[code] for code in codes]

    def clean_adverse_events(self):
        events = self.cleaned_data["adverse_events"]
        if NO_ADVERSE_EVENT in events and len(events) > 1:
            raise ValidationError("Tick either None or the events that happened, not both.", code="none_and_events")
        return [event for event in events if event != NO_ADVERSE_EVENT]

    def clean(self):
        cleaned = super().clean()
        self._clean_gauge(cleaned)
        if AdverseEvent.OTHER in cleaned.get("adverse_events", []) and not cleaned.get("notes", "").strip():
            self.add_error("notes", ValidationError("Describe the other adverse event in the notes.", code="other"))
        if "confirm_earlier_date" in self.fields and not cleaned.get("confirm_earlier_date"):
            self.add_error(
                "confirm_earlier_date",
                ValidationError(
                    "This date is before the patient's latest session. Tick to log it anyway, or correct the date.",
                    code="earlier_than_latest",
                ),
            )
        if "points" in cleaned:
            require_acknowledgement(self, safety_warnings(patient=self.patient, points=cleaned["points"]))
        return cleaned

    def _clean_gauge(self, cleaned):
        choice, other = cleaned.get("needle_gauge"), cleaned.get("needle_gauge_other")
        if "needle_gauge_other" in self.errors:
            return
        if choice == OTHER_GAUGE or (not choice and other is not None):
            if other is None:
                self.add_error(
                    "needle_gauge_other", ValidationError("Enter the other gauge, 0.12 to 0.40 mm.", code="required")
                )
            cleaned["needle_gauge_mm"] = other
        elif choice:
            if other is not None and other != Decimal(choice):
                self.add_error(
                    "needle_gauge_other",
                    ValidationError(
                        "You chose %(choice)s mm and typed %(other)s mm: choose Other or clear this box.",
                        code="two_gauges",
                        params={"choice": choice, "other": other},
                    ),
                )
            cleaned["needle_gauge_mm"] = Decimal(choice)
        else:
            cleaned["needle_gauge_mm"] = None

    def session_values(self):
        """Return the cleaned values as TreatmentSession fields, ready for session_log or session_correct."""
        cleaned = self.cleaned_data
        values = {
            name: cleaned[name]
            # The acknowledgement comes from the warnings shown, the answers from one field per measure.
            for name in CORRECTABLE_FIELDS
            if name not in {"safety_acknowledgement", "instrument_answers"}
        }
        values["safety_acknowledgement"] = "\n".join(warning.sentence for warning in self.safety_warnings)
        values["instrument_answers"] = self._instrument_answers()
        return values

    def _instrument_answers(self):
        """The answers as stored: those asked here, plus any a correction keeps for measures no longer asked."""
        answers = dict(self.session.instrument_answers) if self.session is not None else {}
        for instrument in self.instruments:
            value = self.cleaned_data.get(ANSWER_PREFIX + instrument.code)
            if value is None:
                answers.pop(instrument.code, None)
            else:
                answers[instrument.code] = value
        return answers


class PlanForm(forms.Form):
    """The suggested plan as the practitioner adjusts and confirms it. `plan_values()` maps onto plan_start's arguments.

    For a patient flagged pregnant, points traditionally avoided in pregnancy are accepted only with
    `acknowledge_safety` ticked; the tick is not stored with the plan.
    """

    points = forms.CharField(
        required=False,
        help_text=_("Codes separated by spaces or commas, e.g. st36 sp6 pc6."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    planned_sessions = whole_number_field(
        "Planned sessions", "Planned sessions", *PLANNED_SESSIONS_RANGE, required=True
    )
    interval_days = whole_number_field(
        "Days between sessions", "Days between sessions", *INTERVAL_DAYS_RANGE, required=True
    )
    needle_gauge_mm = forms.DecimalField(
        label=_("Needle gauge (mm)"),
        required=False,
        decimal_places=2,
        min_value=NEEDLE_GAUGE_RANGE[0],
        max_value=NEEDLE_GAUGE_RANGE[1],
        error_messages=NEEDLE_GAUGE_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    retention_minutes = whole_number_field("Retention (minutes)", "Retention", *RETENTION_RANGE, " minutes")
    electrostimulation = forms.BooleanField(label=_("Electro-stimulation"), required=False)
    acknowledge_safety = forms.BooleanField(
        label=_("I have read the safety warnings for this patient and will needle with them in mind."), required=False
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.safety_warnings = []
        if electrostimulation_ruled_out(patient=patient):
            field = self.fields["electrostimulation"]
            field.disabled = True
            field.help_text = "Ruled out: the patient has a pacemaker or implanted electrical device."
        if not any(rule.concerns == CAUTION_POINTS for rule in rules_for(patient=patient)):
            del self.fields["acknowledge_safety"]
        self.helper = self._helper()

    def _helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        sections = [
            "points",
            Row(Column("planned_sessions"), Column("interval_days")),
            Row(Column("needle_gauge_mm"), Column("retention_minutes")),
            "electrostimulation",
        ]
        if "acknowledge_safety" in self.fields:
            sections.append(safety_fieldset("practice/plan_safety_notice.html"))
        helper.layout = Layout(*sections)
        return helper

    def clean_points(self):
        try:
            codes = parse_point_codes(self.cleaned_data["points"])
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="unknown_acupoint") from None
        return list(Acupoint.objects.filter(code__in=codes))

    def clean_electrostimulation(self):
        return self.cleaned_data["electrostimulation"] and not electrostimulation_ruled_out(patient=self.patient)

    def clean(self):
        cleaned = super().clean()
        if "points" in cleaned:
            # Only warnings about particular points need the tick here: the plan's cautions already
            # carry the others, and each session logged asks about them again.
            warnings = safety_warnings(patient=self.patient, points=cleaned["points"])
            require_acknowledgement(self, [warning for warning in warnings if warning.rule.concerns == CAUTION_POINTS])
        return cleaned

    def plan_values(self):
        """Return the cleaned values as plan_start's keyword arguments (the acknowledgement is not one)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "acknowledge_safety"}


SEARCH_MAX_LENGTH = 100


class PatientSearchForm(forms.Form):
    """The name search of "my patients". It is kept in the session and searched for in the database on
    every page of the list, so it is checked before it is kept."""

    q = PlainTextField(max_length=SEARCH_MAX_LENGTH, required=False)

    @classmethod
    def search_or_blank(cls, text):
        """Return `text` if it is a search this form accepts, otherwise ""."""
        form = cls({"q": text})
        return form.cleaned_data["q"] if form.is_valid() else ""
