"""The public pages in English and Simplified Chinese: which language a visitor gets, and how the page says so."""

import re

import pytest
from django.conf import settings

from clinic.lib.languages import HREFLANG, HTML_LANG

CHINESE_BROWSERS = ["zh-CN,zh;q=0.9,en;q=0.8", "zh", "zh-Hans", "zh-SG", "fr-FR,zh-CN;q=0.8,en;q=0.5"]


def _language_cookie(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code


def test_every_language_has_its_html_and_hreflang_tags():
    codes = [code for code, _ in settings.LANGUAGES]
    assert list(HTML_LANG) == codes
    assert list(HREFLANG) == codes


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", CHINESE_BROWSERS)
def test_a_first_visit_from_a_browser_preferring_chinese_goes_to_the_chinese_page(client, accept_language):
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/privacy/"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_the_redirect_keeps_the_query_and_the_page(client):
    response = client.get("/articles/search/?q=pulse&page=2", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Location"] == "/zh-hans/articles/search/?q=pulse&page=2"
    assert client.get("/assessment/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Location"] == "/zh-hans/assessment/"
    assert client.head("/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Location"] == "/zh-hans/"


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", ["", "en-GB,en;q=0.9", "en-US,zh-CN;q=0.5", "fr-FR", "*"])
def test_a_browser_preferring_english_or_no_language_gets_the_english_page(client, accept_language):
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    assert b"Privacy notice" in response.content
    # A cache must not give this English copy to a browser preferring Chinese.
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_english_chosen_with_the_switcher_beats_a_chinese_browser(client):
    response = client.post("/i18n/setlang/", {"language": "en-gb", "next": "/privacy/"})
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    assert b"Privacy notice" in response.content


@pytest.mark.django_db
def test_chinese_chosen_with_the_switcher_is_followed_on_english_addresses(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/zh-hans/privacy/"})
    assert response["Location"] == "/zh-hans/privacy/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB")["Location"] == "/zh-hans/"


@pytest.mark.django_db
def test_a_posted_form_is_never_redirected(client):
    response = client.post("/assessment/", {}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    assert b"Please check" in response.content


@pytest.mark.django_db
def test_an_address_in_chinese_stays_chinese_for_an_english_browser(client):
    _language_cookie(client, "en-gb")
    response = client.get("/zh-hans/privacy/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response.status_code == 200
    assert "隐私声明" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/accounts/login/", "/admin/login/", "/sitemap.xml", "/i18n/setlang/"])
def test_pages_outside_the_public_site_are_never_redirected_to_chinese(client, path):
    _language_cookie(client, "zh-hans")
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert not response.get("Location", "").startswith("/zh-hans/")


@pytest.mark.django_db
def test_the_workspace_and_admin_stay_english_for_a_chinese_browser(client, practitioner, admin_client):
    client.force_login(practitioner)
    for browser in (client, admin_client):
        _language_cookie(browser, "zh-hans")
    response = client.get("/practice/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB">' in html and "My patients" in html
    assert "language-switch" not in html and 'hreflang="' not in html
    response = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Site administration" in html or "Log out" in html
    assert re.search(r"[\u4e00-\u9fff]", html) is None


@pytest.mark.django_db
def test_a_sign_in_page_has_no_switcher(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en-GB">' in html
    assert "language-switch" not in html


def _alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "english, chinese",
    [("/", "/zh-hans/"), ("/privacy/", "/zh-hans/privacy/"), ("/assessment/", "/zh-hans/assessment/")],
)
def test_each_public_page_names_its_language_and_its_other_language(client, english, chinese):
    expected = {
        "en": f"http://testserver{english}",
        "zh-Hans": f"http://testserver{chinese}",
        "x-default": f"http://testserver{english}",
    }
    english_html = client.get(english).content.decode()
    chinese_html = client.get(chinese).content.decode()
    assert '<html lang="en-GB">' in english_html
    assert '<html lang="zh-Hans">' in chinese_html
    assert _alternates(english_html) == expected == _alternates(chinese_html)


@pytest.mark.django_db
def test_the_switcher_offers_the_same_page_in_the_other_language(client):
    english = client.get("/articles/search/?q=pulse").content.decode()
    assert re.search(r'name="next" value="/zh-hans/articles/search/\?q=pulse"', english)
    assert re.search(r'name="language" value="zh-hans"\s+lang="zh-Hans">简体中文</button>', english)
    chinese = client.get("/zh-hans/privacy/").content.decode()
    assert 'name="next" value="/privacy/"' in chinese
    assert re.search(r'name="language" value="en-gb"\s+lang="en-GB">English</button>', chinese)


@pytest.mark.django_db
def test_the_error_pages_name_their_language_and_no_alternates(client):
    html = client.get("/zh-hans/no-such-page/").content.decode()
    assert '<html lang="zh-Hans">' in html and "找不到页面" in html
    assert 'hreflang="' not in html
