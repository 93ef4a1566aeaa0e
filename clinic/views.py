import sys

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic.lib.languages import address_language
from clinic.lib.outage import DATABASE_UNAVAILABLE, unavailable_page
from clinic.lib.replica import reads_from_replica
from content.selectors import articles_latest
from patients.models import Condition


@reads_from_replica(staff_from_primary=True)
def home(request):
    context = {"conditions": Condition.objects.exclude(slug="other"), "latest_articles": articles_latest(limit=3)}
    return render(request, "clinic/home.html", context)


def privacy(request):
    return render(request, "clinic/privacy.html")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico before reading the page's icon link: send them to the icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


@never_cache
@require_safe
def healthz(request):
    """Answer 200 when the app and its database answer, 503 when the database does not."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def bad_request(request, exception):
    """The 400 page. Unlike Django's own it does not read the form again (clinic.middleware says why).

    It and the 500 page speak their address's language themselves: they can be called before the
    language middleware has run (a request the first middleware refused) or after it has finished."""
    with translation.override(address_language(request.path_info)):
        return render(request, "400.html", status=400)


def server_error(request):
    """The 500 page, or the 503 page when the fault is that the database cannot be reached.

    Called while the exception is being handled, from wherever it was raised: a view, a template,
    or a middleware saving the session.
    """
    with translation.override(address_language(request.path_info)):
        if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
            return unavailable_page()
        return defaults.server_error(request)
