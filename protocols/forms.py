"""The protocol form in admin: points typed as codes, as in the workspace; conditions as checkboxes."""

from django import forms
from django.core.exceptions import ValidationError

from clinic.lib.formfields import RangeCheckedModelMultipleChoiceField
from patients.models import Condition
from protocols.models import Protocol
from sessions.acupoints import parse_point_codes
from sessions.models import Acupoint


class ProtocolAdminForm(forms.ModelForm):
    conditions = RangeCheckedModelMultipleChoiceField(
        queryset=Condition.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )
    points = forms.CharField(
        label="Default points",
        required=False,
        help_text="Codes separated by spaces or commas, in the order they are needled, e.g. st36 sp6 pc6 "
        "(SJ, LV, DU and REN are understood).",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "size": 60}
        ),
    )

    class Meta:
        model = Protocol
        fields = [
            "name",
            "slug",
            "conditions",
            "is_active",
            "public_description",
            "planned_sessions",
            "interval_days",
            "points",
            "needle_gauge_mm",
            "retention_minutes",
            "electrostimulation",
            "practitioner_notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["points"] = " ".join(self.instance.points.order_by("position").values_list("code", flat=True))

    def clean_points(self):
        codes = parse_point_codes(self.cleaned_data["points"])
        found = {point.code: point for point in Acupoint.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(
                "Not in the catalogue: %(codes)s.", code="unknown_acupoint", params={"codes": ", ".join(missing)}
            )
        return [found[code] for code in codes]
