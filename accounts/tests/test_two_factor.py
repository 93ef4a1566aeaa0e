"""Two-factor sign-in for everyone who can see patient data: required with DEBUG off, set up from their own page."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import confirmed_device, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _password_only(username):
    """A browser that has signed in with the password and nothing more."""
    browser = Client()
    assert browser.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return browser


def test_with_debug_off_two_factor_is_required(settings):
    from django.conf import settings as live

    assert live.TWO_FACTOR_REQUIRED is True  # `make test` runs with DEBUG off, as production does


@pytest.mark.parametrize(
    ("role", "url"),
    [("practitioner", "/practice/"), ("front_desk", "/admin/"), ("clinic_lead", "/admin/outcomes/")],
)
def test_a_password_only_session_is_sent_to_set_up_an_authenticator(request, role, url):
    user = request.getfixturevalue(role)
    response = _password_only(user.username).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/two-factor/setup/?next={url.replace('/', '%2F')}"


def test_a_password_only_session_with_a_device_is_asked_for_its_code(practitioner):
    confirmed_device(practitioner)
    response = _password_only("practitioner").get("/practice/patients/AC-X/")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fpractice%2Fpatients%2FAC-X%2F"


def test_setting_up_an_authenticator_from_the_page_turns_it_on_and_shows_recovery_codes_once(practitioner):
    browser = _password_only("practitioner")
    page = browser.get("/accounts/two-factor/setup/?next=/practice/").content.decode()
    assert "<svg" in page
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=practitioner, confirmed=False)
    import base64

    assert base64.b32decode(key + "=" * (-len(key) % 8)) == device.bin_key, "the key typed by hand is the device's"

    wrong = browser.post("/accounts/two-factor/setup/", {"code": "000000", "next": "/practice/"})
    assert "That code does not match" in wrong.content.decode()
    assert "Too many wrong codes: wait" in browser.post("/accounts/two-factor/setup/", {"code": "1"}).content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # as after the pause
    response = browser.post("/accounts/two-factor/setup/", {"code": totp_code(device), "next": "/practice/"})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/?next=%2Fpractice%2F"
    codes_page = browser.get(response["Location"]).content.decode()
    codes = re.findall(r'<li class="col">([a-z2-7]+)</li>', codes_page)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=practitioner).values_list("token", flat=True))
    assert browser.get("/accounts/two-factor/recovery-codes/").status_code == 302, "shown once only"
    device.refresh_from_db()
    assert device.confirmed
    assert browser.get("/practice/").status_code == 200


def test_signing_in_with_a_code_opens_the_page_asked_for(practitioner):
    device = confirmed_device(practitioner)
    browser = _password_only("practitioner")
    verify = "/accounts/two-factor/verify/"
    assert "That code is not right" in browser.post(verify, {"code": "123456"}).content.decode()
    browser.get("/")  # any request; the throttle pauses a second after one wrong code
    device.throttling_failure_count = 0
    device.save()
    response = browser.post(verify, {"code": totp_code(device), "next": "/practice/"})
    assert response["Location"] == "/practice/"
    assert browser.get("/practice/").status_code == 200


def test_a_next_page_on_another_site_is_ignored(practitioner):
    device = confirmed_device(practitioner)
    browser = _password_only("practitioner")
    response = browser.post(
        "/accounts/two-factor/verify/", {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/practice/"


def test_a_recovery_code_signs_in_once(practitioner):
    from accounts.services import recovery_codes_issue

    confirmed_device(practitioner)
    code = recovery_codes_issue(user=practitioner)[0]
    first = _password_only("practitioner")
    assert first.post("/accounts/two-factor/verify/", {"code": code.upper()})["Location"] == "/practice/"
    second = _password_only("practitioner")
    assert "not right" in second.post("/accounts/two-factor/verify/", {"code": code}).content.decode()


def test_wrong_codes_in_a_row_pause_verification(practitioner):
    device = confirmed_device(practitioner)
    browser = _password_only("practitioner")
    browser.post("/accounts/two-factor/verify/", {"code": "111111"})
    response = browser.post("/accounts/two-factor/verify/", {"code": totp_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes: wait" in response.content.decode()


def test_a_stolen_password_cannot_swap_in_another_authenticator(practitioner):
    confirmed_device(practitioner)
    response = _password_only("practitioner").get("/accounts/two-factor/setup/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")


def test_the_users_own_page_says_whether_two_factor_is_on(client, practitioner):
    browser = _password_only("practitioner")
    assert "Required for your account" in browser.get("/accounts/two-factor/").content.decode()
    client.force_login(practitioner)
    page = client.get("/accounts/two-factor/").content.decode()
    assert "On: signing in asks for a code" in page and "Get new recovery codes" in page


def test_a_superuser_resets_a_users_two_factor_and_they_set_it_up_again(client, practitioner, front_desk):
    confirmed_device(practitioner)
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(superuser)
    response = client.post(
        "/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [practitioner.pk]}, follow=True
    )
    assert "Two-factor sign-in reset for 1 user" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=practitioner).exists()
    assert _password_only("practitioner").get("/practice/")["Location"].startswith("/accounts/two-factor/setup/")


def test_staff_who_are_not_superusers_cannot_reset_two_factor(client, practitioner):
    staff = User.objects.create_user("helper", password=PASSWORD, is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    confirmed_device(practitioner)
    client.force_login(staff)
    assert "reset_two_factor" not in client.get("/admin/auth/user/").content.decode()
    client.post("/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [practitioner.pk]})
    assert TOTPDevice.objects.filter(user=practitioner).exists()


def test_without_the_requirement_a_password_is_enough_until_someone_sets_up_a_device(settings, practitioner):
    settings.TWO_FACTOR_REQUIRED = False
    assert _password_only("practitioner").get("/practice/").status_code == 200
    confirmed_device(practitioner)
    assert _password_only("practitioner").get("/practice/").status_code == 302


def test_public_pages_and_signing_out_need_no_second_factor(practitioner):
    browser = _password_only("practitioner")
    assert browser.get("/").status_code == 200
    assert browser.get("/assessment/").status_code == 200
    assert browser.post("/accounts/logout/").status_code == 302


def test_the_authenticator_is_named_after_the_clinic(practitioner):
    device = confirmed_device(practitioner)
    assert "issuer=Acuflow%20Clinic" in device.config_url
    assert TOTP(device.bin_key).token() >= 0
