import pytest
from django.core.cache import cache

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The embed caches its table; every test starts with nothing cached."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reader(client):
    """An anonymous reader with an ordinary browser."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client
