import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory

from patients.ratelimit import parse_rate, rate_limit_hit


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("5/hour", (5, 3600)), (" 10 / minute ", (10, 60)), ("1/second", (1, 1)), ("100/DAY", (100, 86400))],
)
def test_rates_read_as_posts_per_period(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["off", "OFF", "0", "", "none"])
def test_a_rate_of_off_or_zero_means_no_limit(rate):
    assert parse_rate(rate) is None


@pytest.mark.parametrize("rate", ["5", "5/fortnight", "five/hour", "-1/hour", "0/hour", "5/hour/2"])
def test_an_unreadable_rate_is_an_error(rate):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def test_the_app_refuses_to_start_with_an_unreadable_rate(settings):
    settings.INTAKE_RATE_LIMIT = "lots"
    with pytest.raises(SystemCheckError, match="INTAKE_RATE_LIMIT"):
        call_command("check")


def test_one_ipv6_household_counts_as_one_client():
    def post_from(address):
        return rate_limit_hit(RequestFactory().post("/", REMOTE_ADDR=address), scope="test-v6", rate="2/hour")

    assert post_from("2001:db8:1:2::10") is None
    assert post_from("2001:db8:1:2::11") is None
    assert post_from("2001:db8:1:2:ffff::1") is not None
    assert post_from("2001:db8:1:3::10") is None


def test_an_unreadable_rate_at_run_time_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        rate_limit_hit(RequestFactory().post("/"), scope="test", rate="lots")
