from django.conf import settings
from django.core.checks import Error, register

from patients.ratelimit import parse_rate


@register()
def password_reset_rate_limit_check(app_configs, **kwargs):
    """Refuse to start with a password-reset rate that cannot be read."""
    try:
        parse_rate(settings.PASSWORD_RESET_RATE_LIMIT)
    except ValueError as error:
        return [Error(f"PASSWORD_RESET_RATE_LIMIT: {error}", id="accounts.E001")]
    return []
