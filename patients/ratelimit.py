"""A per-client limit on posts to public forms, counted in Django's cache.

Fixed windows: with "5/hour" a client may post 5 times in each clock hour. The count lives in
the default cache; with the local-memory cache each server process counts on its own, so a
deployment with several workers that wants one shared count configures a shared cache.
"""

import ipaddress
import time

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


def rate_limit_hit(request, *, scope, rate, counted_as=None):
    """Count one post from this client under `scope`. Return the seconds to wait when it is over
    `rate`, or None when it may go ahead.

    `counted_as` counts the post under that text (say, a hash of the email address a password
    reset asks for) instead of the client's address.
    """
    try:
        limit = parse_rate(rate)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None
    if limit is None:
        return None
    allowed, period = limit
    now = time.time()
    who = counted_as if counted_as is not None else _client_key(client_address(request))
    key = f"ratelimit:{scope}:{who}:{int(now // period)}"
    cache.add(key, 0, timeout=period)
    try:
        posts = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=period)
        posts = 1
    if posts > allowed:
        return max(1, int(period - now % period))
    return None
