"""The app's URLs plus /bench/minimal/: a view that does nothing, through the same middleware, as the yardstick."""

from django.http import HttpResponse
from django.urls import path

from clinic.urls import urlpatterns as app_urlpatterns


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *app_urlpatterns]
