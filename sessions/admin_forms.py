"""The form of the session import upload in admin."""

from django import forms


class SessionImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma-separated, one row per session, with a header row. See the README for the columns.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Choose a .csv file.", code="not_csv")
        return upload
