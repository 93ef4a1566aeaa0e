from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from content.selectors import articles_public

# The assessment form belongs to the patients app; it is listed by path.
PUBLIC_PAGES = ["home", "content:list", "content:definitions", "privacy", "/assessment/"]


class PublicPageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PUBLIC_PAGES

    def location(self, item):
        return item if item.startswith("/") else reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return articles_public()

    def lastmod(self, article):
        return article.updated_at


SITEMAPS = {"pages": PublicPageSitemap, "articles": ArticleSitemap}
