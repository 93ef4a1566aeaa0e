from django.conf import settings
from django.core.checks import Error, register

from patients.ratelimit import parse_rate


@register()
def intake_rate_limit_check(app_configs, **kwargs):
    """Refuse to start with a rate limit setting that cannot be read."""
    try:
        parse_rate(settings.INTAKE_RATE_LIMIT)
    except ValueError as error:
        return [Error(f"INTAKE_RATE_LIMIT: {error}", id="patients.E001")]
    return []
