"""With DEBUG off, errors show the clinic's own pages instead of Django's bare ones."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_a_missing_page_says_so_and_links_home(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="h3">Page not found</h1>' in html
    assert 'href="/">Home page</a>' in html
    assert "Acuflow Clinic" in html


@pytest.mark.django_db
def test_front_desk_opening_the_outcomes_dashboard_is_told_they_may_not_see_it(client, front_desk):
    client.force_login(front_desk)
    response = client.get("/admin/outcomes/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not see this page" in html
    assert "You are signed in as <strong>frontdesk</strong>" in html
    assert 'href="/accounts/login/?next=/admin/outcomes/">Sign in as someone who may see this page</a>' in html
    assert 'href="/admin/">Back to Admin</a>' in html


def test_a_server_fault_shows_a_standalone_page_with_the_site_styles():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/static/css/site.css"' in html
    assert 'href="/">Home page</a>' in html
