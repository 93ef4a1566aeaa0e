"""Form fields that take a value beyond what a database column can hold for the invalid input it is."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models


def out_of_range(field, number, using="default"):
    """True when `number` is beyond what the column of `field` (an IntegerField) can hold."""
    if not isinstance(field, models.IntegerField) or number is None:
        return False
    low, high = connections[using].ops.integer_field_range(field.get_internal_type())
    return (low is not None and number < low) or (high is not None and number > high)


class RangeCheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field for many related records, taking a chosen id beyond what its column can hold for
    the invalid choice it is: Django looks all the chosen ids up at once, which SQLite cannot do with
    a number that large."""

    def _check_values(self, value):
        field = self.queryset.model._meta.get_field(self.to_field_name or self.queryset.model._meta.pk.name)
        for choice in value:
            try:
                number = field.to_python(choice)
            except ValidationError:
                continue  # not a number at all: Django's own check says so
            if out_of_range(field, number, self.queryset.db):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": choice}
                )
        return super()._check_values(value)
