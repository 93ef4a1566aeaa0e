"""Reads that may lag go to the read replica; everything else, and any read after a write, to the primary.

The replica here is Django's test mirror of the test database (settings: TEST MIRROR "default"),
reached through its own connection, so each query's connection says where it was routed. The
tests commit their data (transaction=True): a mirror connection cannot see an open transaction.
`make test` points DATABASE_REPLICA_URL at the primary when it runs on PostgreSQL.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinic.lib.replica import ReplicaRouter, replica_reads
from content.models import Article
from content.tests.conftest import BROWSER_UA
from content.tests.factories import ArticleFactory
from patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.skipif(
        "replica" not in connections.settings or connection.vendor != "postgresql",
        reason="needs DATABASE_REPLICA_URL on PostgreSQL (make test sets it to the primary's URL)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


class _Routed:
    """The SQL each connection ran inside the block."""

    def __enter__(self):
        self._primary = CaptureQueriesContext(connections["default"])
        self._replica = CaptureQueriesContext(connections["replica"])
        self._primary.__enter__()
        self._replica.__enter__()
        return self

    def __exit__(self, *exc):
        self._replica.__exit__(*exc)
        self._primary.__exit__(*exc)

    def on(self, alias, table):
        queries = (self._primary if alias == "default" else self._replica).captured_queries
        return [query["sql"] for query in queries if f'"{table}"' in query["sql"]]


def test_the_dashboard_reads_the_cohort_from_the_replica(client, clinic_lead):
    client.force_login(clinic_lead)
    with _Routed() as routed:
        assert client.get("/admin/outcomes/").status_code == 200
    assert routed.on("replica", "treatment_sessions_treatmentsession")
    assert not routed.on("default", "treatment_sessions_treatmentsession")


def test_cohort_table_reads_from_the_replica():
    with _Routed() as routed:
        call_command("cohort_table", "--format", "json", stdout=StringIO())
    assert routed.on("replica", "treatment_sessions_treatmentsession")
    assert not routed.on("default", "treatment_sessions_treatmentsession")


def test_a_public_article_is_read_from_the_replica_and_after_its_read_is_counted_from_the_primary():
    article = ArticleFactory()
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    with _Routed() as routed:
        assert reader.get(f"/articles/{article.slug}/").status_code == 200
    found, *_ = routed.on("replica", "content_article")
    assert "WHERE" in found and not routed.on("replica", "content_article_tags")
    [count] = [sql for sql in routed.on("default", "content_article") if sql.startswith("UPDATE")]
    assert "view_count" in count
    # Everything read after the write comes from the primary, which has it.
    assert routed.on("default", "content_article_tags")
    assert Article.objects.get(pk=article.pk).view_count == 1


def test_the_article_list_search_feed_and_sitemap_read_from_the_replica():
    ArticleFactory()
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    for url in ["/articles/", "/articles/search/?q=article", "/articles/feed/", "/sitemap.xml", "/"]:
        with _Routed() as routed:
            assert reader.get(url).status_code == 200
        assert routed.on("replica", "content_article"), url
        assert not routed.on("default", "content_article"), url


def test_staff_read_articles_from_the_primary(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    client.force_login(editor)
    with _Routed() as routed:
        assert client.get(f"/articles/{article.slug}/").status_code == 200
    assert routed.on("default", "content_article") and not routed.on("replica", "content_article")


def test_the_workspace_and_the_intake_never_read_from_the_replica(client, practitioner):
    PatientFactory(practitioner=practitioner)
    client.force_login(practitioner)
    with _Routed() as routed:
        assert client.get("/practice/").status_code == 200
        assert client.get("/assessment/").status_code == 200
    assert routed.on("default", "patients_patient")
    assert routed._replica.captured_queries == []


def test_inside_a_transaction_reads_stay_on_the_primary():
    ArticleFactory()
    with _Routed() as routed, replica_reads():
        assert Article.objects.count() == 1
        with transaction.atomic():
            assert Article.objects.count() == 1
    assert len(routed.on("replica", "content_article")) == 1
    assert len(routed.on("default", "content_article")) == 1


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "patients") and not router.allow_migrate("replica", "patients")
    assert router.db_for_write(Article) == "default"
