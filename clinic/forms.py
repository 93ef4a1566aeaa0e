"""The clinic's own forms: the outcomes dashboard's filters, and signing in."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from protocols.models import Protocol
from protocols.selectors import patients_on_protocol
from sessions.outcome_table import DEFAULT_SESSIONS, SESSIONS_RANGE
from sessions.outcomes import WINDOW_DATES, CohortParams


class OutcomeFilterForm(forms.Form):
    sessions = forms.IntegerField(
        label=_("Compare session 1 with session"),
        min_value=SESSIONS_RANGE[0],
        max_value=SESSIONS_RANGE[1],
        initial=DEFAULT_SESSIONS,
    )
    reading = forms.ChoiceField(
        label=_("Session N reading"),
        choices=[("post", "after treatment"), ("pre", "before treatment (resting)")],
        initial="post",
    )
    date_from = forms.DateField(
        label=_("Session 1 from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    all_patients = forms.BooleanField(
        label=_("Include patients without research consent (internal use only)"), required=False
    )
    protocol = forms.ModelChoiceField(
        label=_("Treatment protocol"),
        queryset=Protocol.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any (all patients)"),
        help_text=_("Only patients with a treatment plan based on this protocol."),
    )

    def _clean_window_date(self, name):
        day = self.cleaned_data[name]
        if day and not WINDOW_DATES[0] <= day <= WINDOW_DATES[1]:
            raise forms.ValidationError("Enter a date from 1900 to 2199.", code="implausible_date")
        return day

    def clean_date_from(self):
        return self._clean_window_date("date_from")

    def clean_date_to(self):
        return self._clean_window_date("date_to")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError("The start of the window is after its end.", code="window_reversed")
        return cleaned

    def params(self):
        """Return the CohortParams chosen; the defaults when the form was not submitted."""
        if not self.is_bound:
            return CohortParams()
        data = self.cleaned_data
        return CohortParams(
            sessions=data["sessions"],
            reading=data["reading"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            all_patients=data["all_patients"],
            patients=patients_on_protocol(protocol=data["protocol"]) if data["protocol"] else None,
        )


class ResearchExportForm(forms.Form):
    """The window of the de-identified research export: patients whose first session falls inside it."""

    date_from = forms.DateField(
        label=_("First session from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not WINDOW_DATES[0] <= day <= WINDOW_DATES[1]:
                self.add_error(name, forms.ValidationError("Enter a date from 1900 to 2199.", code="implausible_date"))
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("The window's start is after its end.", code="window_reversed")
        return cleaned


class _UsernameLengthChecked:
    """Refuse a username longer than any account's before anything authenticates it.

    Django's sign-in form gives its username field a maximum length without checking it, so an
    over-long username reached django-axes, whose record of failed attempts holds 255 characters.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class SignInForm(_UsernameLengthChecked, AuthenticationForm):
    """The sign-in form at /accounts/login/."""


class AdminSignInForm(_UsernameLengthChecked, AdminAuthenticationForm):
    """The sign-in form at /admin/login/."""
