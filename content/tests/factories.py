import datetime as dt

import factory
from django.utils import timezone

from content.models import Article, ArticleTranslation, Tag
from content.rendering import render_markdown
from patients.tests.factories import UserFactory


class AuthorFactory(UserFactory):
    """A writer who never logs in during the test: no password to hash, so it is quick to make."""

    username = "author"
    first_name = "Ravi"
    last_name = "Patel"
    password = "!"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda tag: tag.name.lower().replace(" ", "-"))


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article, public since yesterday; its body is rendered like a real save."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-number-{n}")
    summary = factory.LazyAttribute(lambda article: f"What {article.title} is about.")
    body = "## A heading\n\nSome **bold** words."
    author = factory.SubFactory(AuthorFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    source = "Acuflow Clinic"
    body_html = factory.LazyAttribute(lambda article: render_markdown(article.body))

    @factory.post_generation
    def tags(article, create, extracted, **kwargs):
        if create and extracted:
            article.tags.set(extracted)

    @factory.post_generation
    def conditions(article, create, extracted, **kwargs):
        if create and extracted:
            article.conditions.set(extracted)


class ArticleTranslationFactory(factory.django.DjangoModelFactory):
    """A published Simplified Chinese translation of a published article; its body rendered like a real save."""

    class Meta:
        model = ArticleTranslation

    article = factory.SubFactory(ArticleFactory)
    language = "zh-hans"
    title = "针灸与血液循环"
    summary = "针灸治疗前后，我们记录哪些数据。"
    body = "## 一个标题\n\n一些**加粗**的文字。"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    body_html = factory.LazyAttribute(lambda translation: render_markdown(translation.body))
