"""Read configuration from environment variables, failing loudly on bad values."""

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    """Return the boolean in `name`. Raise ImproperlyConfigured for anything but yes/no words."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name, default=()):
    """Return the comma-separated values in `name`, stripped, empty items dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_HOST_NAME = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*")


def env_hosts(name, default=()):
    """Return the comma-separated host names in `name`, lower-case. Raise ImproperlyConfigured for an
    entry that is not a bare host name (a scheme, a path, a port, a space)."""
    hosts = [host.lower() for host in env_list(name, default)]
    for host in hosts:
        if not _HOST_NAME.fullmatch(host):
            raise ImproperlyConfigured(f"{name}: {host!r} is not a host name such as images.example.org.")
    return hosts


_CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "db": "django.core.cache.backends.db.DatabaseCache",
    "redis": "clinic.lib.rediscache.SharedClientRedisCache",
    "rediss": "clinic.lib.rediscache.SharedClientRedisCache",
}


def cache_from_url(url):
    """Return a Django CACHES entry for `url`: `locmem://` (per process), `file:///path` (shared by
    the workers of one host), `db://table` (shared through the database; run createcachetable) or
    `redis://host:port/db` (`rediss://` for TLS; shared by every app server and the worker).
    Raise ImproperlyConfigured for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in _CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"CACHE_URL={url!r}: use locmem://, file:///path, db://table or redis://host:6379/0."
        )
    if parts.scheme in ("redis", "rediss"):
        location = url if parts.hostname else ""
    else:
        location = {"locmem": "acuflow", "file": parts.path, "db": parts.netloc}[parts.scheme]
    if not location:
        raise ImproperlyConfigured(f"CACHE_URL={url!r} names no folder, table or host.")
    return {"BACKEND": _CACHE_BACKENDS[parts.scheme], "LOCATION": location}


def pool_from_env(name):
    """Return the psycopg pool options for `name`: None when it is off (unset, 0, off), else
    {"min_size": …, "max_size": N} for a number N, the connections each process may hold.
    Raise ImproperlyConfigured for anything else."""
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in _FALSE or raw == "0":
        return None
    if not raw.isdigit():
        raise ImproperlyConfigured(f"{name}={raw!r}: give the most connections per process (e.g. 4), or off.")
    size = int(raw)
    return {"min_size": min(2, size), "max_size": size, "timeout": 10}
