"""Per-client and per-email limits on posts to public forms, counted in Django's cache.

Fixed windows: with "5/hour" a client may post 5 times in each clock hour; "40/minute,400/day"
applies both. The count lives in the default cache; with the local-memory cache each server
process counts on its own, so a deployment with several workers or app servers configures a
shared cache (CACHE_URL=redis://…).
"""

import hashlib
import hmac
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from clinic.lib.clientaddress import client_address

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_OFF = {"", "0", "off", "none"}


def parse_rate(rate):
    """Return (posts, seconds) for a rate such as "5/hour", or None when the limit is off.

    Raise ValueError for anything else.
    """
    text = str(rate).strip().lower()
    if text in _OFF:
        return None
    count, _, period = text.partition("/")
    if not count.strip().isdigit() or period.strip() not in _PERIODS or int(count) < 1:
        raise ValueError(f"{rate!r} is not a rate like '5/hour' (second, minute, hour or day), nor 'off'.")
    return int(count), _PERIODS[period.strip()]


def parse_rates(rates):
    """Return the [(posts, seconds), …] of comma-separated rates such as "40/minute,400/day"; [] when off.

    Raise ValueError for anything else.
    """
    if str(rates).strip().lower() in _OFF:
        return []
    return [parse_rate(rate) for rate in str(rates).split(",")]


def _client_key(address):
    """Group IPv6 clients by /64: one household or phone usually holds a whole /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)


def email_key(email):
    """Return a key for counting posts per email address that does not reveal the address (an HMAC)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def rate_limit_hit(request, *, scope, rate, key=None):
    """Count one post from this client (or, given `key`, one post for it, such as an email_key) under
    `scope`. Return the seconds to wait when it is over any of `rate`'s limits, or None when it may
    go ahead."""
    try:
        limits = parse_rates(rate)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None
    who = key if key is not None else _client_key(client_address(request))
    now = time.time()
    wait = None
    for allowed, period in limits:
        cache_key = f"ratelimit:{scope}:{period}:{who}:{int(now // period)}"
        cache.add(cache_key, 0, timeout=period)
        try:
            posts = cache.incr(cache_key)
        except ValueError:  # the window ended between add and incr
            cache.set(cache_key, 1, timeout=period)
            posts = 1
        if posts > allowed:
            wait = max(wait or 0, max(1, int(period - now % period)))
    return wait
