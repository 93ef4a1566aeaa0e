"""Two-factor sign-in: TOTP authenticator apps and recovery codes, kept by django-otp."""

from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def totp_device_pending(*, user):
    """Return the authenticator `user` is setting up (unconfirmed), creating it with a fresh key if none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def totp_device_confirm(*, device, token):
    """Confirm `device` if `token` is its current code. Return the new recovery codes, or None for a wrong code.

    The confirmed device replaces any authenticator the user had, and the recovery codes are
    issued afresh, so an old phone or an old sheet of codes stops working.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        _raise_if_paused([device])
        if not device.verify_token(_normalised(token)):
            return None
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_issue(user=device.user)


def recovery_codes_issue(*, user):
    """Replace `user`'s recovery codes with RECOVERY_CODES new ones and return them; each works once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_NAME})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        return codes


class SecondFactorThrottled(Exception):
    """Too many wrong codes: verification is paused; `seconds` says for how long (at least)."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.seconds = seconds


def second_factor_verify(*, user, code):
    """Return the device of `user` that accepts `code`, or None.

    Six digits are tried against the authenticator, anything else as a recovery code (which is then
    used up). Each wrong code pauses that device for longer (django-otp: 1, 2, 4 … seconds); raise
    SecondFactorThrottled while it is paused.
    """
    code = _normalised(code)
    kind = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        devices = [device for device in devices_for_user(user, for_verify=True) if isinstance(device, kind)]
        _raise_if_paused(devices)
        return next((device for device in devices if device.verify_token(code)), None)


def _raise_if_paused(devices):
    paused_until = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            paused_until.append(data.get("locked_until") or timezone.now())
    if paused_until:
        raise SecondFactorThrottled(max(1, int((max(paused_until) - timezone.now()).total_seconds()) + 1))


def user_has_second_factor(*, user):
    """True when `user` has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_reset(*, user):
    """Remove every authenticator and recovery code of `user`: they set up a new one at their next sign-in."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        StaticDevice.objects.filter(user=user).delete()
    return removed


def _normalised(code):
    return "".join((code or "").split()).lower()
