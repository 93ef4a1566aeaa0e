from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, gettext_lazy

from content.selectors import articles_public

FEED_LENGTH = 20


class ArticleFeed(Feed):
    """The newest published articles as an Atom feed, in the address's language: each article's
    published translation where it has one, the original otherwise."""

    feed_type = Atom1Feed
    link = reverse_lazy("content:list")
    subtitle = gettext_lazy("Articles from the clinic: our approach, and our outcome figures.")

    def title(self):
        return gettext("%(clinic)s: articles") % {"clinic": settings.CLINIC_NAME}

    def items(self):
        return articles_public().prefetch_related("tags")[:FEED_LENGTH]

    def item_title(self, article):
        return article.shown_text.title

    def item_description(self, article):
        return article.shown_text.summary

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return (article.author.get_full_name() or article.author.get_username()) if article.author else None

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]
