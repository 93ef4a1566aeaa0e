from django.conf import settings
from django.core.checks import Error, register

from patients.ratelimit import parse_rates


@register()
def intake_rate_limit_check(app_configs, **kwargs):
    """Refuse to start with a rate limit setting that cannot be read."""
    errors = []
    for name in ("INTAKE_RATE_LIMIT", "INTAKE_EMAIL_RATE_LIMIT"):
        try:
            parse_rates(getattr(settings, name))
        except ValueError as error:
            errors.append(Error(f"{name}: {error}", id="patients.E001"))
    return errors
