import re

import pytest


@pytest.mark.django_db
def test_home_says_what_the_clinic_treats(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"What we treat" in response.content
    assert b"Raynaud&#x27;s Phenomenon" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/privacy/"])
def test_public_pages_load_nothing_from_another_host(client, path):
    html = client.get(path).content.decode()
    # The page's other languages are named by absolute address (hreflang), and loaded by nobody.
    html = re.sub(r'<link rel="alternate" hreflang="[^"]+" href="http://testserver/[^"]*">', "", html)
    external = re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', html)
    assert external == []
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/privacy/", "/articles/", "/articles/search/?q=pulse", "/sitemap.xml"])
def test_public_pages_answer_head_for_uptime_monitors(client, path):
    assert client.head(path).status_code == 200


@pytest.mark.django_db
def test_pages_have_a_skip_link_and_landmarks(client):
    html = client.get("/").content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html and "<header>" in html and "<footer" in html


@pytest.mark.django_db
def test_responses_carry_a_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy


@pytest.mark.django_db
def test_a_form_sent_without_its_security_token_gets_a_friendly_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/assessment/", {"first_name": "Ana"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


@pytest.mark.django_db
def test_the_favicon_browsers_ask_for_first_is_found(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/img/favicon.svg")
    assert finders.find("img/favicon.svg")
    assert '<link rel="icon" href="/static/img/favicon.svg"' in client.get("/").content.decode()


def test_the_content_security_policy_allows_images_from_this_site_only_unless_hosts_are_listed(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy or policy.endswith("img-src 'self' data:")
