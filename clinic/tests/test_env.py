import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import cache_from_url


def test_cache_url_names_a_per_process_a_file_or_a_database_cache():
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    assert cache_from_url("file:///var/cache/acuflow") == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/var/cache/acuflow",
    }
    assert cache_from_url("db://acuflow_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "acuflow_cache",
    }


@pytest.mark.parametrize("url", ["redis://", "memcached://localhost", "file://", "db://", "nonsense"])
def test_a_cache_url_it_cannot_use_stops_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url(url)
