"""One rule for the client's address, used by the intake limit, the reset throttle, lockouts and the access trail."""

from django.test import RequestFactory

from clinic.lib.clientaddress import client_address


def _request(**meta):
    return RequestFactory().post("/", **meta)


def test_the_client_address_is_remote_addr_by_default(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(_request(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_saw_is_used_and_spoofed_entries_are_ignored(settings):
    settings.TRUSTED_PROXIES = 1
    # 1.2.3.4 is what the client claimed; the proxy appended the address it saw.
    request = _request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"


def test_behind_two_proxies_the_outer_one_is_trusted(settings):
    settings.TRUSTED_PROXIES = 2
    request = _request(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.2")
    assert client_address(request) == "203.0.113.9"


def test_a_missing_forwarded_header_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(_request(REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_a_forwarded_entry_that_is_not_an_address_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.2"
