"""The top navigation on a tablet and a laptop: no menu item ever breaks over two lines."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The number of lines each menu item's text takes up on screen.
LINES_PER_ITEM = """
[...document.querySelectorAll('#main-nav .nav-link')].map(link => {
  const range = document.createRange();
  range.selectNodeContents(link);
  return [link.textContent.trim(), new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size];
})
"""


def _sign_in(page, live_server, user, enter_code):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    enter_code(page, user)
    page.wait_for_url("**/practice/")


def test_on_a_tablet_the_menu_folds_behind_the_toggle_and_every_item_keeps_one_line(
    tablet_page, live_server, clinic_lead, screenshot, enter_code
):
    page = tablet_page
    _sign_in(page, live_server, clinic_lead, enter_code)
    page.goto(live_server.url + "/")
    screenshot(page, "navigation-tablet")
    toggle = page.get_by_role("button", name="Toggle navigation")
    assert toggle.is_visible()
    assert not page.get_by_role("link", name="Free assessment", exact=True).is_visible()
    toggle.click()
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    lines = dict(page.evaluate(LINES_PER_ITEM))
    assert set(lines) >= {"Free assessment", "My patients", "Admin", "Sign out"}
    assert set(lines.values()) == {1}, lines
    screenshot(page, "navigation-tablet-open")


def test_on_a_laptop_the_whole_menu_fits_one_row(tablet_page, live_server, clinic_lead, screenshot, enter_code):
    page = tablet_page
    page.set_viewport_size({"width": 1024, "height": 768})
    _sign_in(page, live_server, clinic_lead, enter_code)
    page.goto(live_server.url + "/")
    assert not page.get_by_role("button", name="Toggle navigation").is_visible()
    lines = dict(page.evaluate(LINES_PER_ITEM))
    assert set(lines.values()) == {1}, lines
    tops = page.evaluate("[...document.querySelectorAll('#main-nav .nav-item')].map(item => item.offsetTop)")
    assert len(set(tops)) == 1, "every menu item sits on the same row"
    screenshot(page, "navigation-laptop")
