"""When the database cannot be reached: the errors that mean it, and the page that says so."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

# A refused or dropped connection, a server shutting down, a lock or statement timeout: the
# request may succeed if sent again shortly. Errors in what was asked (DataError, IntegrityError)
# and bugs (ProgrammingError) are not among them.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# What the 503 pages tell browsers and monitors about when to try again.
RETRY_AFTER_SECONDS = 60


def unavailable_response(content):
    """Return `content` as a 503 with Retry-After."""
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable_page():
    """Return the "briefly unavailable" page; rendered without the request, it reads nothing from the database."""
    return unavailable_response(loader.get_template("503.html").render())
