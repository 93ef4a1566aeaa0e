import pytest

pytestmark = pytest.mark.browser


def test_home_page_works_on_a_phone(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="What we treat").is_visible()
    # The menu collapses behind a toggle on a narrow screen, and opens with it.
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Privacy", exact=True).first.click()
    page.wait_for_url("**/privacy/")
    assert page.get_by_role("heading", name="Privacy notice").is_visible()
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "privacy-phone")


def test_skip_link_is_the_first_stop_for_keyboard_users(phone_page, live_server):
    page = phone_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
