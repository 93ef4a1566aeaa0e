"""Hostile values sent to every URL the app defines are answered with a page, never a server error.

The sweep takes its URLs from the URL resolver and their parameters from the app as it runs: what
each view reads from request.GET, the links and forms on each page (the admin's filters, ordering,
search and pagination among them) and the admin's autocomplete widgets. A new page, filter or
parameter is swept without touching this file. Every endpoint is fetched once to learn its
parameters; then each path parameter and each query parameter, one at a time, gets every hostile
value, and every form found on a page is posted back with each hostile value in all its fields and
in other character sets.
"""

import logging
import sys
import time
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import pytest
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.core.signals import got_request_exception
from django.http import QueryDict
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils.functional import cached_property
from django.utils.regex_helper import normalize

from clinic.tests.factories import clinic_with_one_of_everything
from conftest import VerifiedClient

HOSTILE_VALUES = {
    "a NUL byte": "a\x00b",
    "bytes that are not UTF-8": b"\xff\xfe\xc3(",
    "over-long text": "x" * 5000,
    "an out-of-range number": "-99999999999999999999",
}
# Form bodies labelled with a character set other than the UTF-8 browsers send.
CHARSETS = ["latin-1", "utf-16"]
# Posting these forms back would sign the sweep out or delete what the rest of it reads; their
# pages are still swept, and their fields are just a confirmation button.
NOT_POSTED = ("logout", "_delete")


def _quoted(value):
    return quote(value if isinstance(value, bytes) else str(value), safe="")


def _query(params):
    return "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in params.items())


class _AskedFor(QueryDict):
    """request.GET that remembers which parameters the view asked for."""

    asked = set()

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.asked.add(key)
        return super().getlist(key, default)


class _Page(HTMLParser):
    """The links, forms and autocomplete widgets of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append({"method": method, "action": attrs.get("action"), "fields": {}})
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                self.forms[-1]["fields"].setdefault(attrs["name"], None)
            else:
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        if attrs.get("data-ajax--url") and attrs.get("data-app-label"):
            widget = {
                name.replace("-", "_"): attrs[f"data-{name}"] for name in ("app-label", "model-name", "field-name")
            }
            self.links.append(f"{attrs['data-ajax--url']}?{urlencode(widget)}")


class _Endpoint:
    def __init__(self, route, url_format, params):
        self.route, self.url_format, self.params = route, url_format, params
        self.values = None  # parameter values that reach the page, from a link to it
        self.queries = []  # query strings seen in links and forms pointing here
        self.asked = set()

    def url(self, **values):
        return "/" + self.url_format % {name: _quoted(value) for name, value in {**self.values, **values}.items()}

    def query_params(self):
        return {name for query in self.queries for name in query} | self.asked

    def query_with(self, name):
        """A query seen for this page that has `name`, else the first seen (it may be what reaches the view)."""
        return next((query for query in self.queries if name in query), self.queries[0] if self.queries else {})


def _endpoints(patterns=None, regex="", route=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        entry_regex = regex + entry.pattern.regex.pattern.removeprefix("^")
        entry_route = route + str(entry.pattern).removeprefix("^") if route else str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _endpoints(entry.url_patterns, entry_regex, entry_route)
        else:
            url_format, params = normalize(entry_regex)[0]
            yield _Endpoint(entry_route, url_format, params)


def _resolved(endpoints, url):
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None, None
    values = match.kwargs or {f"_{index}": value for index, value in enumerate(match.args)}
    return endpoints.get(match.route), values


class _Sweep:
    def __init__(self, client):
        self.client = client
        self.endpoints = {endpoint.route: endpoint for endpoint in _endpoints()}
        self.forms = []
        self.sent = 0
        self.failures = []
        self.swept = set()

    def send(self, method, url, *args, **kwargs):
        faults = []

        def note(sender, request, **_):
            faults.append(repr(sys.exc_info()[1])[:160])

        got_request_exception.connect(note)
        try:
            response = getattr(self.client, method)(url, *args, **kwargs)
        finally:
            got_request_exception.disconnect(note)
        self.sent += 1
        if response.status_code >= 500:
            target = f"{method} {url[:100]!r} {str(args[:1])[:100]}"
            self.failures.append(f"{target} {kwargs.get('content_type', '')}: {faults}")
        return response

    def learn(self):
        """Fetch every endpoint once (through the first link to it, when there is one) and note its parameters."""
        queue = [f"/{endpoint.url_format}" for endpoint in self.endpoints.values() if not endpoint.params]
        fetched = set()
        while queue:
            url = queue.pop(0)
            endpoint, values = _resolved(self.endpoints, url)
            if endpoint is None or endpoint.route in fetched:
                continue
            fetched.add(endpoint.route)
            endpoint.values = endpoint.values or values
            _AskedFor.asked = set()
            response = self.send("get", url, follow=False)
            endpoint.asked |= _AskedFor.asked
            if "html" not in response.get("Content-Type", ""):
                continue
            page = _Page()
            page.feed(response.content.decode(errors="replace"))
            for link in page.links:
                target = urljoin(url, link)
                if urlsplit(target).netloc:
                    continue
                linked, linked_values = _resolved(self.endpoints, target)
                if linked is None:
                    continue
                linked.values = linked.values or linked_values
                if urlsplit(target).query:
                    linked.queries.append(dict(parse_qsl(urlsplit(target).query, keep_blank_values=True)))
                queue.append(target)
            for form in page.forms:
                action = urljoin(url, form["action"] or url)
                target, target_values = _resolved(self.endpoints, action)
                if target is None:
                    continue
                target.values = target.values or target_values
                if form["method"] == "get":
                    target.queries.append({name: value or "" for name, value in form["fields"].items()})
                elif not any(marker in (resolve(urlsplit(action).path).url_name or "") for marker in NOT_POSTED):
                    self.forms.append((action, form["fields"]))
        for endpoint in self.endpoints.values():
            if endpoint.values is None:
                # Never linked to (a password-reset link, a thanks page): swept with placeholder values.
                endpoint.values = dict.fromkeys(endpoint.params, "1")

    def sweep_addresses(self):
        for endpoint in self.endpoints.values():
            for value in HOSTILE_VALUES.values():
                for name in endpoint.params:
                    self.send("get", endpoint.url(**{name: value}))
                for name in endpoint.query_params():
                    query = {**endpoint.query_with(name), name: value}
                    self.send("get", endpoint.url(), QUERY_STRING=_query(query))
                if not endpoint.params and not endpoint.query_params():
                    # No parameter of its own: one it does not expect.
                    self.send("get", endpoint.url(), QUERY_STRING=_query({"unexpected": value}))
            self.swept.add(endpoint.route)

    def sweep_forms(self):
        for action, fields in self.forms:
            token = {"csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", "")}
            names = [name for name in fields if name != "csrfmiddlewaretoken"]
            for value in HOSTILE_VALUES.values():
                body = _query({**token, **dict.fromkeys(names, value)})
                self._post(action, body, "application/x-www-form-urlencoded")
            typed = dict.fromkeys(names, "Café")
            for charset in CHARSETS:
                body = f"{urlencode(token)}&{urlencode(typed, encoding=charset)}".encode(charset)
                content_type = f"application/x-www-form-urlencoded; charset={charset}"
                self._post(action, body, content_type)

    def _post(self, action, body, content_type):
        # generic(): post() would re-encode the body in the charset named.
        self.send("generic", "POST", action, body, content_type=content_type)


@pytest.fixture
def recorded_query_params(monkeypatch):
    asked_for = cached_property(
        lambda request: _AskedFor(get_bytes_from_wsgi(request.environ, "QUERY_STRING", ""), encoding=request.encoding)
    )
    asked_for.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", asked_for)


@pytest.fixture
def quiet_refusals():
    """Two thousand refusals would each be logged with a traceback; what counts here is the status."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.mark.django_db
def test_no_url_answers_a_hostile_value_with_a_server_error(recorded_query_params, quiet_refusals, settings, capsys):
    settings.INTAKE_RATE_LIMIT = "off"
    # The sign-in and password forms are posted dozens of times; a slow hasher would be most of the time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Signed in with both factors, as staff are: a password-only session sees no admin or workspace page.
    client = VerifiedClient(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(clinic_with_one_of_everything())
    sweep = _Sweep(client)
    started = time.monotonic()

    sweep.learn()
    sweep.sweep_addresses()
    sweep.sweep_forms()

    assert not sweep.failures, f"{len(sweep.failures)} server errors:\n" + "\n".join(sweep.failures)
    assert sweep.swept == set(sweep.endpoints), "every endpoint the resolver knows was swept"
    assert len(sweep.forms) >= 20, "the forms of the intake, sign-in, workspace and admin pages were found"
    with capsys.disabled():
        print(
            f"\nHostile sweep: {len(sweep.endpoints)} URL patterns, {len(sweep.forms)} forms, "
            f"{sweep.sent} requests in {time.monotonic() - started:.1f} s"
        )
