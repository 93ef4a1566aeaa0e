"""Sign-in pages beyond Django's own: the throttled password reset, and two-factor sign-in."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts.emails import PasswordResetForm
from accounts.forms import CodeForm, ConfirmDeviceForm
from accounts.services import (
    SecondFactorThrottled,
    recovery_codes_issue,
    recovery_codes_left,
    second_factor_verify,
    totp_device_confirm,
    totp_device_pending,
    user_has_second_factor,
)
from patients.ratelimit import email_key, rate_limit_hit

# Session key: recovery codes just issued, shown once on the next page and then forgotten.
_NEW_CODES = "two_factor_new_codes"

# The reset email goes out from the worker (accounts.emails), so the page never waits for the mail server.
_password_reset = auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)


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
            # A keyed hash: the cache never holds the address itself.
            key=email_key(email),
        )
        if wait:
            response = render(
                request, "accounts/password_reset_throttled.html", {"minutes": -(-wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
    return _password_reset(request)


def _next_url(request, default):
    """The local page to continue to (?next= or the form's next), or `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def two_factor(request):
    """The user's own page: whether two-factor sign-in is set up, recovery codes left, and what they can do."""
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": user_has_second_factor(user=request.user),
            "verified": request.user.is_verified(),
            "codes_left": recovery_codes_left(user=request.user),
            "required": settings.TWO_FACTOR_REQUIRED,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: a QR code and its key, confirmed by a first code.

    Someone who already has one must have used it in this session first, so a stolen password
    alone can never swap in the thief's phone.
    """
    if user_has_second_factor(user=request.user) and not request.user.is_verified():
        return redirect(with_next("two_factor_verify", _url("two_factor_setup")))
    device = totp_device_pending(user=request.user)
    form = ConfirmDeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(device=device, token=form.cleaned_data["code"])
        except SecondFactorThrottled as paused:
            form.add_error("code", _paused_message(paused))
        else:
            if codes is not None:
                otp_login(request, device)
                request.session[_NEW_CODES] = codes
                messages.success(request, _("Two-factor sign-in is on. Keep your recovery codes somewhere safe."))
                return redirect(with_next("two_factor_recovery_codes", _next_url(request, _url("two_factor"))))
            form.add_error(
                "code", _("That code does not match. Check the app shows this account, and try the newest code.")
            )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": mark_safe(qr.svg_inline(scale=5, title=_("QR code for your authenticator app"))),  # noqa: S308 - segno's own markup
        "key": _grouped(device),
        "next": _next_url(request, ""),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if not user_has_second_factor(user=request.user):
        return redirect(with_next("two_factor_setup", _next_url(request, "")))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except SecondFactorThrottled as paused:
            form.add_error("code", _paused_message(paused))
        else:
            if device is not None:
                otp_login(request, device)
                return redirect(_next_url(request, settings.LOGIN_REDIRECT_URL))
            form.add_error(
                "code", _("That code is not right. Enter the newest code from your app, or a recovery code.")
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request, "")})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_recovery_codes(request):
    """Show recovery codes just issued (once), or issue a new set (POST), which voids the old ones."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect(with_next("two_factor_verify", _url("two_factor")))
        request.session[_NEW_CODES] = recovery_codes_issue(user=request.user)
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(_NEW_CODES, None)
    if codes is None:
        return redirect("two_factor")
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request, _url("two_factor"))}
    )


def _paused_message(paused):
    return ngettext(
        "Too many wrong codes: wait %(seconds)d second, then try again.",
        "Too many wrong codes: wait %(seconds)d seconds, then try again.",
        paused.seconds,
    ) % {"seconds": paused.seconds}


def _url(name):
    return reverse(name)


def with_next(name, next_url):
    """The URL of the page `name`, carrying `next_url` to continue to afterwards (when there is one)."""
    return f"{reverse(name)}?{urlencode({'next': next_url})}" if next_url else reverse(name)


def _grouped(device):
    """The key as authenticator apps ask for it by hand: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
