from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
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
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("The article's address. Made from the title when left empty; fixed once published."),
    )
    summary = models.TextField(max_length=500, help_text=_("One or two sentences for lists, the feed and search."))
    body = models.TextField(
        help_text=_(
            "Markdown: ## headings, **bold**, [links](/articles/…/), tables, images by URL, ``` code. "
            "A line with only [[cohort-outcomes]] or [[cohort-outcomes sessions=6]] shows the live outcome table."
        )
    )
    body_html = models.TextField(editable=False, default="", help_text=_("The body rendered and sanitised on save."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When the article goes public. Leave empty to publish now; a future time schedules it."),
    )
    source = models.CharField(
        max_length=200, blank=True, help_text=_("Where the article comes from, e.g. the clinic or a journal.")
    )
    source_url = models.URLField(_("source link"), blank=True)
    view_count = models.PositiveIntegerField(_("reads"), default=0, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    conditions = models.ManyToManyField(
        Condition, blank=True, related_name="articles", verbose_name=_("related conditions")
    )
    meta_description = models.CharField(
        max_length=300, blank=True, help_text=_("For search engines and link previews; the summary when empty.")
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

    # The language the article itself is written in; its translations name theirs.
    language = settings.LANGUAGE_CODE

    @property
    def shown_text(self):
        """What a reader of the active language is shown: the published translation that
        content.selectors fetched with the article (`published_translations`), or the article itself.

        Both have title, summary, body_html, description and language.
        """
        return next(iter(getattr(self, "published_translations", None) or []), self)


# The languages an article may be translated into: every language of the site but the original's.
TRANSLATION_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class ArticleTranslationQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Translations the public may read: published, their time come, and their article public too."""
        now = now or timezone.now()
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=now,
        )


class ArticleTranslation(models.Model):
    """An article in another language, reviewed and published on its own like the original.

    Tags, conditions, source, the author and the read count are the article's; the text is the
    translation's own, rendered and sanitised the same way.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, choices=TRANSLATION_LANGUAGES)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=500, help_text=_("One or two sentences for lists, the feed and search."))
    body = models.TextField(
        help_text=_("Markdown, as in the original. Embeds ([[cohort-outcomes]]) show in the reader's language.")
    )
    body_html = models.TextField(editable=False, default="", help_text=_("The body rendered and sanitised on save."))
    meta_description = models.CharField(
        max_length=300, blank=True, help_text=_("For search engines and link previews; the summary when empty.")
    )
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="article_translations",
    )
    status = models.CharField(
        max_length=10, choices=Article.Status.choices, default=Article.Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the translation goes public (once the article is). Leave empty to publish now."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleTranslationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="article_translation_one_per_language"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_translation_published_has_published_at",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_language_display()})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("content:detail", args=[self.article.slug])

    @property
    def is_public(self):
        """True when the public can read it: published, its time come, and the article public."""
        published = self.status == Article.Status.PUBLISHED and self.published_at is not None
        return published and self.published_at <= timezone.now() and self.article.is_public

    @property
    def description(self):
        return self.meta_description or self.summary
