"""The public pages' languages: how HTML names them, and one page's address in each of them."""

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

# settings.LANGUAGES as BCP 47 tags: <html lang> names the exact variant, hreflang the audience
# (the English pages are for every English reader, not only British ones).
HTML_LANG = {"en-gb": "en-GB", "zh-hans": "zh-Hans"}
HREFLANG = {"en-gb": "en", "zh-hans": "zh-Hans"}


def html_lang(language):
    """Return the <html lang> tag of a code of settings.LANGUAGES ("zh-hans" -> "zh-Hans")."""
    return HTML_LANG.get(language, language)


def address_language(path_info):
    """The language an address names: its /zh-hans/ prefix, or English for every other address."""
    return translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE


def page_addresses(path_info):
    """Return {language code: path} of the public page at `path_info` in every language, or {} when the
    address is no page in several languages (the workspace, admin, an address that resolves to nothing).

    Paths include the script prefix; a query string is the caller's to add.
    """
    # A prefixed address only resolves while its own language is active (LocalePrefixPattern).
    with translation.override(address_language(path_info)):
        try:
            match = resolve(path_info)
        except Resolver404:
            return {}
    if match.url_name is None:
        return {}
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    addresses = {}
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            try:
                addresses[code] = reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                return {}
    if len(set(addresses.values())) < len(addresses):
        return {}  # the same address in every language: not one of the i18n_patterns
    return addresses


def request_page_addresses(request):
    """`page_addresses` of the request's page, worked out once per request: the language middleware
    asks on an English page's first step, and every public page's template asks again."""
    if not hasattr(request, "_page_addresses"):
        request._page_addresses = page_addresses(request.path_info)
    return request._page_addresses
