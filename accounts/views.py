"""Sign-in pages beyond Django's own: the throttled password reset, and two-factor sign-in."""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from patients.ratelimit import rate_limit_hit

_password_reset = auth_views.PasswordResetView.as_view()


def password_reset(request):
    """Django's password reset, throttled per client address and per email address asked for.

    Both counts grow whether or not the address belongs to an account, and the page after a
    request reads the same either way, so neither tells a stranger who has an account.
    """
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        rate = settings.PASSWORD_RESET_RATE_LIMIT
        wait = rate_limit_hit(request, scope="password-reset", rate=rate) or rate_limit_hit(
            request,
            scope="password-reset-email",
            rate=rate,
            # A hash: the cache never holds the address itself.
            counted_as=hashlib.sha256(email.encode()).hexdigest(),
        )
        if wait:
            response = render(
                request, "accounts/password_reset_throttled.html", {"minutes": -(-wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
    return _password_reset(request)
