"""The address a request came from, the same for every feature that counts clients (the intake
rate limit, the password-reset throttle, sign-in lockouts, the access trail)."""

import ipaddress

from django.conf import settings


def client_address(request):
    """Return the address the request came from.

    REMOTE_ADDR, unless TRUSTED_PROXIES says how many reverse proxies of our own sit in front of
    the app: then the address the outermost of them saw, read from the right of X-Forwarded-For
    (entries further left are whatever the client claimed, so never trusted). A header with fewer
    entries than that, or an entry that is not an address, falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                return remote
    return remote
