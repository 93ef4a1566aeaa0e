from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError

from protocols.models import INTERVAL_DAYS_RANGE, PLANNED_SESSIONS_RANGE
from sessions.acupoints import parse_point_codes
from sessions.models import NEEDLE_GAUGE_RANGE, RETENTION_RANGE, Acupoint


class PlanForm(forms.Form):
    """The suggested plan as the practitioner adjusts and confirms it."""

    points = forms.CharField(
        required=False,
        help_text="Codes separated by spaces or commas, e.g. st36 sp6 pc6.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    planned_sessions = forms.IntegerField(min_value=PLANNED_SESSIONS_RANGE[0], max_value=PLANNED_SESSIONS_RANGE[1])
    interval_days = forms.IntegerField(
        label="Days between sessions", min_value=INTERVAL_DAYS_RANGE[0], max_value=INTERVAL_DAYS_RANGE[1]
    )
    needle_gauge_mm = forms.DecimalField(
        label="Needle gauge (mm)",
        required=False,
        decimal_places=2,
        min_value=NEEDLE_GAUGE_RANGE[0],
        max_value=NEEDLE_GAUGE_RANGE[1],
    )
    retention_minutes = forms.IntegerField(
        label="Retention (minutes)", required=False, min_value=RETENTION_RANGE[0], max_value=RETENTION_RANGE[1]
    )
    electrostimulation = forms.BooleanField(label="Electro-stimulation", required=False)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        if patient.implanted_device:
            field = self.fields["electrostimulation"]
            field.disabled = True
            field.help_text = "Ruled out: the patient has a pacemaker or implanted electrical device."
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "points",
            Row(Column("planned_sessions"), Column("interval_days")),
            Row(Column("needle_gauge_mm"), Column("retention_minutes")),
            "electrostimulation",
            Submit("confirm", "Confirm and start this plan", css_class="btn-brand btn-lg"),
        )

    def clean_points(self):
        try:
            codes = parse_point_codes(self.cleaned_data["points"])
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="unknown_acupoint") from None
        return list(Acupoint.objects.filter(code__in=codes))

    def clean_electrostimulation(self):
        return self.cleaned_data["electrostimulation"] and not self.patient.implanted_device
