import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_works_on_a_phone(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="What we treat")).to_be_visible()
    # The menu collapses behind a toggle on a narrow screen, and opens with it.
    page.get_by_role("button", name="Toggle navigation").click()
    # Wait for the menu to finish opening: a click during the animation can land beside the link.
    page.locator("#main-nav.collapse.show").wait_for()
    page.locator("#main-nav").get_by_role("link", name="Privacy", exact=True).click()
    page.wait_for_url("**/privacy/")
    expect(page.get_by_role("heading", name="Privacy notice")).to_be_visible()
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "privacy-phone")


def test_skip_link_is_the_first_stop_for_keyboard_users(phone_page, live_server):
    page = phone_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def test_error_pages_fit_a_phone_and_carry_the_site_styles(phone_page, live_server, screenshot):
    from django.template.loader import render_to_string

    page = phone_page
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "not-found-phone")

    # Django renders 500.html with no context; serve exactly that from the live server's origin.
    server_error_html = render_to_string("500.html")
    page.route("**/broken/", lambda route: route.fulfill(status=500, body=server_error_html, content_type="text/html"))
    page.goto(live_server.url + "/broken/")
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    brand = page.evaluate("getComputedStyle(document.querySelector('.btn-brand')).backgroundColor")
    assert brand == "rgb(11, 85, 99)", "the site's own stylesheet is loaded"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "server-error-phone")
