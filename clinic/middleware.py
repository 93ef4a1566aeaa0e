"""Middleware the clinic's pages share."""

from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# Admin and the workspace show patient data, /accounts/ sign-in secrets (recovery codes): never stored by
# a browser or a proxy, so neither the back button on a shared computer nor a cache shows them to the next person.
_PRIVATE_PAGES = ("admin:index", "practice:patient_list")
_ACCOUNTS = "/accounts/"


class PrivatePagesNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixes = None

    def __call__(self, request):
        response = self.get_response(request)
        if self._prefixes is None:
            self._prefixes = (*(reverse(name) for name in _PRIVATE_PAGES), _ACCOUNTS)
        if request.path.startswith(self._prefixes):
            add_never_cache_headers(response)
        return response
