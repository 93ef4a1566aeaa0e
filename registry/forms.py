from django import forms


class PartnerSummaryUploadForm(forms.Form):
    file = forms.FileField(
        label="Summary file",
        help_text="The JSON file a partner clinic wrote with manage.py cohort_summary. It holds sums per condition, "
        "never a patient's row.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
