"""Django's Redis cache, keeping one redis-py client per connection pool instead of one per operation.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call (`get_client` in
django/core/cache/backends/redis.py), and building one copies its table of about 170 response
callbacks: a large share of what a kept article page costs (benchmarks/RESULTS.md). A `redis.Redis`
may be shared between threads (each command borrows a connection from the pool), and redis-py's pool
starts afresh in a forked process, so one client per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]


class SharedClientRedisCache(RedisCache):
    """`CACHE_URL=redis://…`: Django's Redis cache with a client kept per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
