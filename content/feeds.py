from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from content.selectors import articles_public

FEED_LENGTH = 20


class ArticleFeed(Feed):
    """The newest published articles as an Atom feed."""

    feed_type = Atom1Feed
    link = reverse_lazy("content:list")
    subtitle = "Articles from the clinic: our approach, and our outcome figures."

    def title(self):
        return f"{settings.CLINIC_NAME}: articles"

    def items(self):
        return articles_public().prefetch_related("tags")[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return (article.author.get_full_name() or article.author.get_username()) if article.author else None

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]
