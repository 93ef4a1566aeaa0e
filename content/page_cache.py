"""Finished article pages for anonymous readers, kept in the shared cache for a minute.

A reader who has already been counted today (or a bot) gets the page without a database query;
a new read goes through the view, is counted and refreshes the copy. Any saved change to any
article (content.services) moves the version on, so an edited or withdrawn article is never
served from an older copy. Signed-in users are never served from here: their pages differ
(the menu, a sign-out form with their CSRF token). A page that embeds outcome figures is kept
only until someone next withdraws research consent: from then on no published figure counts them.
"""

from django.core.cache import cache
from django.utils import translation

from patients.selectors import research_consent_last_withdrawn

PAGE_SECONDS = 60
_VERSION_KEY = "content:article-pages:version"


def _key(request, slug, version):
    return f"content:article-page:{version}:{translation.get_language()}:{request.scheme}:{request.get_host()}:{slug}"


def _withdrawn_marker():
    withdrawn = research_consent_last_withdrawn()
    return withdrawn.timestamp() if withdrawn else 0


def article_page_get(request, slug):
    """Return {"pk", "html"} of the article page kept for this host and language, or None.

    A page with outcome figures costs one small query: whether research consent was withdrawn since.
    """
    version = cache.get(_VERSION_KEY, 0)
    kept = cache.get(_key(request, slug, version))
    if kept is not None and kept.get("withdrawn") is not None and kept["withdrawn"] != _withdrawn_marker():
        return None
    return kept


def article_page_keep(request, slug, *, pk, html, figures=False):
    """Keep the finished page; `figures` says it embeds outcome figures (see the module's docstring)."""
    kept = {"pk": pk, "html": html, "withdrawn": _withdrawn_marker() if figures else None}
    cache.set(_key(request, slug, cache.get(_VERSION_KEY, 0)), kept, PAGE_SECONDS)


def article_pages_expire():
    """Forget every kept article page (an article changed: its page, or another's related list, may differ)."""
    if not cache.add(_VERSION_KEY, 1, timeout=None):
        cache.incr(_VERSION_KEY)
