from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _

from clinic.lib.replica import reads_from_replica
from content import reads
from content.embeds import body_with_embeds, embeds_figures
from content.models import Article, ArticleTranslation, Tag
from content.page_cache import article_page_get, article_page_keep
from content.selectors import article_translation_public, articles_public, articles_related, articles_search
from patients.models import Condition

PER_PAGE = 10
SEARCH_MAX_LENGTH = 200


def _page(request, articles):
    return Paginator(articles.prefetch_related("tags"), PER_PAGE).get_page(request.GET.get("page"))


@reads_from_replica(staff_from_primary=True)
def article_list(request):
    return render(request, "content/article_list.html", {"page": _page(request, articles_public())})


@reads_from_replica(staff_from_primary=True)
def tag_articles(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _page(request, articles_public().filter(tags=tag))
    heading = _("Articles tagged “%(tag)s”") % {"tag": tag.name}
    return render(request, "content/article_list.html", {"page": page, "heading": heading})


@reads_from_replica(staff_from_primary=True)
def condition_articles(request, slug):
    condition = get_object_or_404(Condition, slug=slug)
    page = _page(request, articles_public().filter(conditions=condition))
    # Condition names are seeded data (patients' migration 0002); content's catalogue translates them.
    heading = _("Articles about %(condition)s") % {"condition": _(condition.name)}
    context = {"page": page, "heading": heading, "condition": condition}
    return render(request, "content/article_list.html", context)


@reads_from_replica(staff_from_primary=True)
def article_search(request):
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    page = _page(request, articles_search(query=query)) if query else None
    return render(request, "content/article_search.html", {"query": query, "page": page})


def _staff_may_preview(user):
    return user.is_staff and user.has_perm("content.view_article")


def _translation_shown(request, article):
    """The translation in the page's language a reader is shown (staff: any status, as a preview), or None."""
    if request.LANGUAGE_CODE == settings.LANGUAGE_CODE:
        return None
    if _staff_may_preview(request.user):
        return ArticleTranslation.objects.filter(article=article, language=request.LANGUAGE_CODE).first()
    return article_translation_public(article=article)


def _original_url(article):
    with translation.override(settings.LANGUAGE_CODE):
        return article.get_absolute_url()


def _detail_context(article, text):
    """The detail page shows `text` (the article or a translation) and links the other languages."""
    return {
        "article": article,
        "text": text,
        "original_url": _original_url(article),
        "translations": ArticleTranslation.objects.published().filter(article=article),
        "body": body_with_embeds(text.body_html),
        "tags": article.tags.all(),
        "conditions": article.conditions.all(),
        "related": articles_related(article=article),
    }


# Staff read from the primary: an article they have just saved shows as saved, not as the replica last saw it.
@reads_from_replica(staff_from_primary=True)
def article_detail(request, slug):
    anonymous = not request.user.is_authenticated
    if anonymous:
        kept = article_page_get(request, slug)
        if kept is not None and not reads.read_is_new(request, kept["pk"]):
            return HttpResponse(kept["html"])
    article = get_object_or_404(Article.objects.select_related("author"), slug=slug)
    if not article.is_public and not _staff_may_preview(request.user):
        raise Http404("No such article.")
    counted = article.is_public and reads.read_count_if_new(request, article)
    if counted:
        article.refresh_from_db(fields=["view_count"])
    text = _translation_shown(request, article) or article
    response = render(request, "content/article_detail.html", _detail_context(article, text))
    if anonymous and article.is_public:
        figures = embeds_figures(text.body_html)
        article_page_keep(request, slug, pk=article.pk, html=response.content.decode(), figures=figures)
    if counted:
        reads.read_remember(request, response, article)
    return response


@reads_from_replica(staff_from_primary=True)
def outcome_definitions(request):
    return render(request, "content/outcome_definitions.html")
