from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from clinic.lib.languages import HREFLANG, html_lang, request_page_addresses
from practice.access import user_is_workspace_member


def clinic(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "login_cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES,
        # Read only when a template asks: most public pages never do.
        "workspace_member": SimpleLazyObject(lambda: user_is_workspace_member(user=request.user)),
        "page_languages": SimpleLazyObject(lambda: _page_languages(request)),
    }


def _page_languages(request):
    """The page in every language: `alternates` (hreflang, absolute URL; the x-default is English) and
    `switch` (each other language's code, name, and this page's address in it, query kept), both empty
    when this page is not one of the public pages in several languages."""
    addresses = request_page_addresses(request)
    if not addresses:
        return {"alternates": [], "switch": []}
    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()
    alternates = [(HREFLANG[code], request.build_absolute_uri(path)) for code, path in addresses.items()]
    alternates.append(("x-default", request.build_absolute_uri(addresses[settings.LANGUAGE_CODE])))
    switch = [
        {"code": code, "name": name, "lang": html_lang(code), "next": addresses[code] + (f"?{query}" if query else "")}
        for code, name in settings.LANGUAGES
        if code != current
    ]
    return {"alternates": alternates, "switch": switch}
