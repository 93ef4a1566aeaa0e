import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import cache_from_url, env_hosts


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


@pytest.mark.parametrize(
    "value", ["https://images.example.org", "images.example.org/pics", "images example.org", ".org", "a.org:8080"]
)
def test_article_image_hosts_must_be_bare_host_names(monkeypatch, value):
    monkeypatch.setenv("ARTICLE_IMAGE_HOSTS", value)
    with pytest.raises(ImproperlyConfigured, match="is not a host name"):
        env_hosts("ARTICLE_IMAGE_HOSTS")


def test_article_image_hosts_are_read_lower_case(monkeypatch):
    monkeypatch.setenv("ARTICLE_IMAGE_HOSTS", "Images.Example.org, cdn.example.net")
    assert env_hosts("ARTICLE_IMAGE_HOSTS") == ["images.example.org", "cdn.example.net"]
