from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from patients.models import Condition

# Paths under /articles/ that belong to pages, not articles: no article may take these slugs.
RESERVED_SLUGS = frozenset({"search", "feed", "tag", "condition", "definitions"})


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("content:tag", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Articles the public may read: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="The article's address. Made from the title when left empty; fixed once published.",
    )
    summary = models.TextField(max_length=500, help_text="One or two sentences for lists, the feed and search.")
    body = models.TextField(
        help_text=(
            "Markdown: ## headings, **bold**, [links](/articles/…/), tables, images by URL, ``` code. "
            "A line with only [[cohort-outcomes]] or [[cohort-outcomes sessions=6]] shows the live outcome table."
        )
    )
    body_html = models.TextField(editable=False, default="", help_text="The body rendered and sanitised on save.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article goes public. Leave empty to publish now; a future time schedules it.",
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the article comes from, e.g. the clinic or a journal."
    )
    source_url = models.URLField("source link", blank=True)
    view_count = models.PositiveIntegerField("reads", default=0, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    conditions = models.ManyToManyField(
        Condition, blank=True, related_name="articles", verbose_name="related conditions"
    )
    meta_description = models.CharField(
        max_length=300, blank=True, help_text="For search engines and link previews; the summary when empty."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["view_count"], m2m_fields=[tags, conditions])

    class Meta:
        ordering = ["-published_at", "-created_at"]
        permissions = [("publish_article", "Can publish articles")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_published_at",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("content:detail", args=[self.slug])

    @property
    def is_public(self):
        """True when the public can read it: published and its time has come."""
        return self.status == self.Status.PUBLISHED and self.published_at is not None and not self.is_scheduled

    @property
    def is_scheduled(self):
        """True when published with a time still to come: hidden until then."""
        published = self.status == self.Status.PUBLISHED and self.published_at is not None
        return published and self.published_at > timezone.now()

    @property
    def description(self):
        return self.meta_description or self.summary
