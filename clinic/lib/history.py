"""A record's history page in admin (django-simple-history) in words rather than stored codes."""

from django.db import models
from simple_history.template_utils import HistoricalRecordContextHelper

NONE_SHOWN = "–"


def readable_history(**shown):
    """Return a HistoricalRecordContextHelper class whose "Changes" column reads as people write.

    `shown` maps a field name to a function(value) -> text for values the model alone cannot
    name (codes in a JSON list); otherwise choices show their labels, yes/no fields "Yes"/"No",
    and an empty value a dash.
    """

    class ReadableHistory(HistoricalRecordContextHelper):
        def prepare_delta_change_value(self, change, value):
            if change.field in shown:
                return shown[change.field](value)
            field = self.model._meta.get_field(change.field)
            if value is None or value == "" or value == []:
                return NONE_SHOWN
            if isinstance(field, models.BooleanField):
                return "Yes" if value else "No"
            if field.choices:
                return dict(field.flatchoices).get(value, value)
            return super().prepare_delta_change_value(change, value)

    return ReadableHistory
