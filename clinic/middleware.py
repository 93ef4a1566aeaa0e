"""Middleware the clinic's pages share: refusing requests the app cannot read, keeping private pages
out of caches, and the public pages' language."""

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from clinic.lib.languages import address_language, request_page_addresses

# Posted forms Django parses itself. Multipart bodies (uploads) are left to the view that reads
# them, which may stream them through its own upload handlers.
_FORM_BODY = "application/x-www-form-urlencoded"


class UnreadableRequestGuard:
    """Answer 400 to a request whose address holds a NUL byte or whose form body cannot be read.

    PostgreSQL refuses NUL in text, so a NUL in the path or the query string, once it reached a
    lookup, was a server error on whichever page it was sent to; no address of this site has one.
    A form body labelled with a charset other than UTF-8 (or too large, or with too many fields) makes
    Django raise every time the body is read, including inside its own error pages, which then fail
    too; reading it once here turns that into one clear 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _has_nul(request.GET):
            raise BadRequest("A NUL byte in the address.")
        if request.method == "POST" and request.content_type == _FORM_BODY:
            try:
                request.POST  # noqa: B018 - parsed once, here, to find out whether it can be
            except (BadRequest, SuspiciousOperation) as error:
                # Later readers (error pages, CSRF) see an empty form instead of raising again.
                request.POST = QueryDict()
                raise BadRequest("The form could not be read.") from error
        return self.get_response(request)


def _has_nul(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


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


class PublicLanguageMiddleware:
    """Speak the language the address names: /zh-hans/… in Simplified Chinese, every other address
    (the English public pages, the workspace, admin) in English, whatever the browser prefers.

    Django's LocaleMiddleware would also follow a language cookie or Accept-Language on any
    address, which would turn parts of admin (Django's own strings) Chinese for staff whose browser
    prefers it; the workspace and admin stay in English.

    Only the first step onto an English public page looks further: a visitor whose language cookie
    (set by the switcher, `set_language`) or, without one, whose Accept-Language prefers Chinese to
    English is sent to the same page under /zh-hans/. Choosing English with the switcher sets the
    cookie to English, so the English pages then stay English for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefixed = translation.get_language_from_path(request.path_info) is not None
        addresses = {} if prefixed or request.method not in ("GET", "HEAD") else request_page_addresses(request)
        if addresses:
            preferred = translation.get_language_from_request(request)  # the cookie, then Accept-Language
            if preferred != settings.LANGUAGE_CODE and preferred in addresses:
                query = request.META.get("QUERY_STRING", "")
                response = HttpResponseRedirect(addresses[preferred] + (f"?{query}" if query else ""))
                patch_vary_headers(response, _CHOSEN_BY)
                return response
        translation.activate(address_language(request.path_info))
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # The page is rendered by now: what this thread renders next, outside a request (a job, a
            # test), starts in English, not in the last visitor's language.
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        if addresses:
            # The same address answers a Chinese browser differently: caches must keep both apart.
            patch_vary_headers(response, _CHOSEN_BY)
        return response


_CHOSEN_BY = ("Accept-Language", "Cookie")
