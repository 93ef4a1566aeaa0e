"""The form of the session import upload in admin."""

from django import forms

from sessions.importing import NEW_PATIENT_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS


class SessionImportForm(forms.Form):
    # The columns the page lists, straight from the import's own constants, so the two never differ.
    required_columns = REQUIRED_COLUMNS
    new_patient_columns = NEW_PATIENT_COLUMNS
    optional_columns = tuple(name for name in OPTIONAL_COLUMNS if name not in NEW_PATIENT_COLUMNS)

    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma-separated, one row per session, with a header row; the columns are listed below.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Choose a .csv file.", code="not_csv")
        return upload
