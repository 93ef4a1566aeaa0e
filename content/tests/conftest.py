import pytest
from django.core.cache import cache
from django.utils import translation

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The embed caches its table; every test starts with nothing cached."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request to /zh-hans/ leaves Chinese active in the thread (the middleware activates the address's
    language and leaves it): the next test, whatever it renders outside a request, starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def reader(client):
    """An anonymous reader with an ordinary browser."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client
