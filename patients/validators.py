"""Validators for text that people type into public forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_LINE_BREAKS = frozenset("\n\r\t")


@deconstructible
class ControlCharacterValidator:
    """Refuse NUL and the other control characters (Unicode category Cc).

    Everything else a person can type is allowed: any script, emoji, right-to-left text and
    the invisible format characters that scripts and emoji need (zero-width joiner, RLM…).
    With `allow_line_breaks`, newline, carriage return and tab are allowed (for text areas).
    """

    code = "control_characters"

    def __init__(self, allow_line_breaks=False):
        self.allow_line_breaks = allow_line_breaks

    def __call__(self, value):
        allowed = _LINE_BREAKS if self.allow_line_breaks else frozenset()
        if any(unicodedata.category(char) == "Cc" and char not in allowed for char in str(value)):
            raise ValidationError(
                _("This contains invisible control characters (often from copying and pasting). Please type it again."),
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, ControlCharacterValidator) and self.allow_line_breaks == other.allow_line_breaks
