from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError

from protocols.models import INTERVAL_DAYS_RANGE, PLANNED_SESSIONS_RANGE
from sessions.acupoints import parse_point_codes
from sessions.forms import NEEDLE_GAUGE_ERRORS, require_acknowledgement, safety_fieldset, whole_number_field
from sessions.models import NEEDLE_GAUGE_RANGE, RETENTION_RANGE, Acupoint
from sessions.safety import pregnancy_warnings


class PlanForm(forms.Form):
    """The suggested plan as the practitioner adjusts and confirms it. `plan_values()` maps onto plan_start's arguments.

    For a patient flagged pregnant, points traditionally avoided in pregnancy are accepted only with
    `acknowledge_safety` ticked; the tick is not stored with the plan.
    """

    points = forms.CharField(
        required=False,
        help_text="Codes separated by spaces or commas, e.g. st36 sp6 pc6.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    planned_sessions = whole_number_field(
        "Planned sessions", "Planned sessions", *PLANNED_SESSIONS_RANGE, required=True
    )
    interval_days = whole_number_field(
        "Days between sessions", "Days between sessions", *INTERVAL_DAYS_RANGE, required=True
    )
    needle_gauge_mm = forms.DecimalField(
        label="Needle gauge (mm)",
        required=False,
        decimal_places=2,
        min_value=NEEDLE_GAUGE_RANGE[0],
        max_value=NEEDLE_GAUGE_RANGE[1],
        error_messages=NEEDLE_GAUGE_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    retention_minutes = whole_number_field("Retention (minutes)", "Retention", *RETENTION_RANGE, " minutes")
    electrostimulation = forms.BooleanField(label="Electro-stimulation", required=False)
    acknowledge_safety = forms.BooleanField(
        label="I have read the safety warnings for this patient and will needle with them in mind.", required=False
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.safety_warnings = []
        if patient.implanted_device:
            field = self.fields["electrostimulation"]
            field.disabled = True
            field.help_text = "Ruled out: the patient has a pacemaker or implanted electrical device."
        if not patient.pregnant:
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
            sections.append(safety_fieldset("protocols/_pregnancy_notice.html"))
        helper.layout = Layout(*sections)
        return helper

    def clean_points(self):
        try:
            codes = parse_point_codes(self.cleaned_data["points"])
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="unknown_acupoint") from None
        return list(Acupoint.objects.filter(code__in=codes))

    def clean_electrostimulation(self):
        return self.cleaned_data["electrostimulation"] and not self.patient.implanted_device

    def clean(self):
        cleaned = super().clean()
        if "points" in cleaned:
            require_acknowledgement(self, pregnancy_warnings(patient=self.patient, points=cleaned["points"]))
        return cleaned

    def plan_values(self):
        """Return the cleaned values as plan_start's keyword arguments (the acknowledgement is not one)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "acknowledge_safety"}
