"""What signing in means for everyone who can see patient data: a second factor, and an idle limit."""

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from accounts.services import user_has_second_factor
from accounts.views import with_next
from clinic.lib.roles import user_sees_patient_data


class TwoFactorRequiredMiddleware:
    """Admin and the workspace refuse a password-only session of someone who can see patient data.

    With TWO_FACTOR_REQUIRED (on when DEBUG is off) everyone must confirm a device first; without
    it, only those who have set one up must use it. They are sent to enter a code, or to set up an
    authenticator when they have none, and come back to the page they asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._guarded = None

    def __call__(self, request):
        if self._guarded is None:
            self._guarded = (reverse("admin:index"), reverse("practice:patient_list"))
            self._open = (reverse("admin:login"), reverse("admin:logout"))
        path = request.path
        if path.startswith(self._guarded) and not path.startswith(self._open) and self._needs_code(request.user):
            step = "two_factor_verify" if user_has_second_factor(user=request.user) else "two_factor_setup"
            return redirect(with_next(step, request.get_full_path()))
        return self.get_response(request)

    @staticmethod
    def _needs_code(user):
        if not user_sees_patient_data(user=user) or user.is_verified():
            return False
        return settings.TWO_FACTOR_REQUIRED or user_has_second_factor(user=user)


# Session key: when the idle expiry was last moved (seconds since the epoch).
_EXPIRY_MOVED_AT = "idle_expiry_moved_at"
# Moving the expiry writes the session; once a minute is precise enough and spares a write per request.
_MOVE_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    """Sign out staff and practitioners after SESSION_IDLE_MINUTES without a request.

    Their requests keep moving the session's expiry that far ahead, in the session store and in the
    cookie (at most once a minute), so a session left alone expires on the server after
    SESSION_IDLE_MINUTES, less up to a minute: a copied cookie is worthless after it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user_sees_patient_data(user=user):
            now = int(time.time())
            if now - request.session.get(_EXPIRY_MOVED_AT, 0) >= _MOVE_EVERY_SECONDS:
                request.session[_EXPIRY_MOVED_AT] = now
                request.session.set_expiry(settings.SESSION_IDLE_MINUTES * 60)
        return response
