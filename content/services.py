"""Writes to articles and their translations: saving (render + slug), review and publishing, and counting reads."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from content.embeds import embed_problems
from content.models import RESERVED_SLUGS, Article, ArticleTranslation
from content.page_cache import article_pages_expire
from content.rendering import render_markdown


class PublishNotAllowed(PermissionError):
    """The user may write articles but not publish them."""


def article_slug_unique(*, title, exclude_pk=None):
    """Return a slug made from `title` that no other article uses and no page reserves."""
    base = slugify(title)[:190].strip("-") or "article"
    taken = set(Article.objects.exclude(pk=exclude_pk).filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _stored(article):
    if article.pk is None:
        return None
    return Article.objects.filter(pk=article.pk).values("slug", "status", "published_at").first()


def article_settle(*, article, stored=None):
    """Settle `article`'s slug and publication time from its other fields, unsaved: the slug and publish rules.

    The slug follows the title (when left empty) until the article is first published, then never
    changes. Publishing without a time publishes now. `stored` is the saved row's slug, status and
    published_at (read when not given). article_save applies these rules; the admin form asks
    for them too, so that what it validates is what will be saved.
    """
    stored = _stored(article) if stored is None else stored
    was_published = bool(stored and stored["status"] == Article.Status.PUBLISHED)
    if stored and (was_published or stored["published_at"]) and stored["slug"]:
        article.slug = stored["slug"]
    elif not article.slug:
        article.slug = article_slug_unique(title=article.title, exclude_pk=article.pk)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    return article


def article_embed_check(*, article):
    """Raise ValidationError (code "embed", one message per shortcode) when `article` (or a translation)
    would be published with something that looks like an embed but will not show as one. Drafts may hold them."""
    if article.status == Article.Status.PUBLISHED:
        problems = embed_problems(article.body)
        if problems:
            raise ValidationError([ValidationError(problem, code="embed") for problem in problems])


def _publish_check(*, status, was_published, by, what):
    if not by.has_perm("content.publish_article") and (status == Article.Status.PUBLISHED or was_published):
        raise PublishNotAllowed(f"Only editors with the publish permission may publish or change published {what}.")


def article_save(*, article, by):
    """Render the body, settle the slug and publication time, and save the article.

    The slug follows the title (when left empty) until the article is first published, then
    never changes. Publishing without a time publishes now. Raise PublishNotAllowed when `by`
    may not publish and the save would publish or change a published article, and
    ValidationError when a published article's body has a shortcode that is not a valid embed.
    """
    stored = _stored(article)
    was_published = bool(stored and stored["status"] == Article.Status.PUBLISHED)
    _publish_check(status=article.status, was_published=was_published, by=by, what="articles")
    article_embed_check(article=article)

    article_settle(article=article, stored=stored)
    if article.author_id is None:
        article.author = by
    article.body_html = render_markdown(article.body)
    article.save()
    transaction.on_commit(article_pages_expire)  # readers' kept copies (content.page_cache) are now old
    return article


def _locked(texts):
    """Lock the rows of `texts` (articles or translations, a queryset that may join other tables) until
    the transaction ends."""
    return texts.model.objects.select_for_update().filter(pk__in=list(texts.values_list("pk", flat=True)))


def _publish_each(texts, *, save):
    """Publish each of `texts` not yet published through `save`; return (how many, those refused because
    their body has a shortcode that is not a valid embed)."""
    changed, refused = 0, []
    for text in _locked(texts).exclude(status=Article.Status.PUBLISHED):
        if embed_problems(text.body):
            refused.append(text)
            continue
        text.status = Article.Status.PUBLISHED
        save(text)
        changed += 1
    return changed, refused


@transaction.atomic
def articles_publish(*, articles, by):
    """Publish each article now, or at its scheduled time if it has one.

    Return (how many were published, the articles left unpublished because their body has a
    shortcode that is not a valid embed).
    """
    if not by.has_perm("content.publish_article"):
        raise PublishNotAllowed("You may not publish articles.")
    return _publish_each(articles, save=lambda article: article_save(article=article, by=by))


@transaction.atomic
def articles_submit_for_review(*, articles, by):
    """Move drafts to review. Return how many changed; other statuses are left alone."""
    changed = 0
    for article in _locked(articles).filter(status=Article.Status.DRAFT):
        article.status = Article.Status.IN_REVIEW
        article_save(article=article, by=by)
        changed += 1
    return changed


def article_translation_save(*, translation, by):
    """Render the translation's body, settle its publication time and save it: article_save's rules.

    Publishing without a time publishes now (readers see it once the article is public too).
    Raise PublishNotAllowed when `by` may not publish and the save would publish or change a
    published translation, and ValidationError when a published translation's body has a shortcode
    that is not a valid embed.
    """
    stored = None
    if translation.pk is not None:
        stored = ArticleTranslation.objects.filter(pk=translation.pk).values("status").first()
    was_published = bool(stored and stored["status"] == Article.Status.PUBLISHED)
    _publish_check(status=translation.status, was_published=was_published, by=by, what="translations")
    article_embed_check(article=translation)
    if translation.status == Article.Status.PUBLISHED and translation.published_at is None:
        translation.published_at = timezone.now()
    if translation.translator_id is None:
        translation.translator = by
    translation.body_html = render_markdown(translation.body)
    translation.save()
    transaction.on_commit(article_pages_expire)
    return translation


@transaction.atomic
def article_translations_publish(*, translations, by):
    """Publish each translation now, or at its scheduled time. Return (how many were published, the
    translations left unpublished because their body has a shortcode that is not a valid embed)."""
    if not by.has_perm("content.publish_article"):
        raise PublishNotAllowed("You may not publish translations.")
    return _publish_each(translations, save=lambda text: article_translation_save(translation=text, by=by))


def article_read_count(*, article_id):
    """Add one read in the database itself (no read-modify-write), so concurrent reads all count."""
    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
