"""The sitemap: every public page in both languages, and each article in the languages it is
published in (the original, and each published translation), with hreflang alternates."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Prefetch
from django.urls import reverse

from content.models import ArticleTranslation
from content.selectors import articles_public

PUBLIC_PAGES = ["home", "content:list", "content:definitions", "privacy", "patients:intake"]


class PublicPageSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return PUBLIC_PAGES

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        translations = Prefetch(
            "translations", queryset=ArticleTranslation.objects.published(), to_attr="sitemap_translations"
        )
        return articles_public().prefetch_related(translations)

    def get_languages_for_item(self, article):
        return [settings.LANGUAGE_CODE] + [translation.language for translation in article.sitemap_translations]

    def lastmod(self, article):
        return max([article.updated_at] + [translation.updated_at for translation in article.sitemap_translations])


SITEMAPS = {"pages": PublicPageSitemap, "articles": ArticleSitemap}
