from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic.lib.replica import reads_from_replica
from content.selectors import articles_latest
from patients.models import Condition


@reads_from_replica(staff_from_primary=True)
def home(request):
    context = {"conditions": Condition.objects.exclude(slug="other"), "latest_articles": articles_latest(limit=3)}
    return render(request, "clinic/home.html", context)


def privacy(request):
    return render(request, "clinic/privacy.html")


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
