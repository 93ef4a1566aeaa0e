import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counts():
    """Every test starts with no posts counted against the intake rate limit."""
    cache.clear()
    yield
    cache.clear()
