from django.contrib import admin, messages
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from content.embeds import body_with_embeds, embed_problems
from content.forms import ArticleAdminForm, ArticleTranslationAdminForm
from content.models import TRANSLATION_LANGUAGES, Article, ArticleTranslation, Tag
from content.rendering import render_markdown
from content.services import (
    article_save,
    article_translation_save,
    article_translations_publish,
    articles_publish,
    articles_submit_for_review,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PublishedTextAdmin(SimpleHistoryAdmin):
    """What an article and its translation share in admin: reviewed and published by the same people
    (content.publish_article), previewed as they are typed, warned about embeds that stop publishing."""

    class Media:
        js = ["content/admin-article-preview.js"]
        css = {"all": ["content/admin-article-preview.css"]}

    def _can_publish(self, request):
        return request.user.has_perm("content.publish_article")

    def has_publish_permission(self, request):
        return self._can_publish(request)

    def has_change_permission(self, request, obj=None):
        # A published text changes only through someone who may publish: otherwise an
        # edit would go live without review.
        if obj is not None and obj.status == Article.Status.PUBLISHED and not self._can_publish(request):
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_publish = self._can_publish(request)
        if not form.can_publish and "status" in form.base_fields:
            form.base_fields["status"].choices = [
                choice for choice in Article.Status.choices if choice[0] != Article.Status.PUBLISHED
            ]
        return form

    def _warn_if_unpublishable(self, request, body):
        problems = embed_problems(body)
        if problems:
            self.message_user(
                request,
                gettext("Saved, but it cannot be published until this is corrected: %(problems)s")
                % {"problems": " ".join(problems)},
                messages.WARNING,
            )

    def _report_refused(self, request, refused):
        for text in refused:
            self.message_user(
                request,
                gettext("“%(title)s” was not published: %(problems)s")
                % {"title": text.title, "problems": " ".join(embed_problems(text.body))},
                messages.ERROR,
            )

    @admin.display(boolean=True, description="public")
    def live(self, text):
        return text.is_public

    @admin.display(description="preview")
    def preview(self, text):
        return format_html(
            '<div class="article-preview" id="article-preview" data-preview-url="{}" aria-live="polite">{}</div>'
            '<p class="help">The preview follows what you type. {}</p>',
            reverse("admin:content_article_preview"),
            body_with_embeds(text.body_html) if text and text.pk else "",
            format_html('<a href="{}">Open the page as readers will see it</a>.', text.get_absolute_url())
            if text and text.pk
            else "",
        )


@admin.register(Article)
class ArticleAdmin(PublishedTextAdmin):
    form = ArticleAdminForm
    list_display = ["title", "status", "published_at", "live", "author", "view_count", "updated_at"]
    list_filter = ["status", "tags", "conditions"]
    list_select_related = ["author"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    actions = ["submit_for_review", "publish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "preview"]}),
        ("Publishing", {"fields": ["status", "published_at", "author", "view_count"]}),
        ("About", {"fields": ["source", "source_url", "tags", "conditions", "meta_description"]}),
        ("Translations", {"fields": ["translations"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["preview", "author", "view_count", "translations"]
        if obj is not None and (obj.status == Article.Status.PUBLISHED or obj.published_at):
            readonly.append("slug")  # stable once published
        if not self._can_publish(request):
            readonly.append("published_at")
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return {"slug": ["title"]}

    def save_model(self, request, obj, form, change):
        article_save(article=obj, by=request.user)
        self._warn_if_unpublishable(request, obj.body)

    @admin.display(description="translations")
    def translations(self, article):
        if not (article and article.pk):
            return "Save the article first, then add its translations."
        done = {translation.language: translation for translation in article.translations.all()}
        links = []
        for code, name in TRANSLATION_LANGUAGES:
            if code in done:
                translation = done[code]
                url = reverse("admin:content_articletranslation_change", args=[translation.pk])
                links.append(format_html('<a href="{}">{}: {}</a>', url, name, translation.get_status_display()))
            else:
                url = reverse("admin:content_articletranslation_add") + f"?article={article.pk}&language={code}"
                links.append(format_html('<a href="{}">Add the {} translation</a>', url, name))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((link,) for link in links)))

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [path("preview/", preview, name="content_article_preview"), *super().get_urls()]

    def preview_view(self, request):
        """Return the body from the form, rendered and sanitised exactly as it will be stored."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return JsonResponse({"error": "You may not write articles."}, status=403)
        body = request.POST.get("body", "")
        problems = embed_problems(body)
        return JsonResponse({"html": body_with_embeds(render_markdown(body)), "problems": problems})

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        changed = articles_submit_for_review(articles=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d article submitted for review.", "%(count)d articles submitted for review.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        changed, refused = articles_publish(articles=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", changed) % {"count": changed},
            messages.SUCCESS,
        )
        self._report_refused(request, refused)


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(PublishedTextAdmin):
    """Translations are reviewed and published like articles, by the same people (content.publish_article)."""

    form = ArticleTranslationAdminForm
    list_display = ["title", "article", "language", "status", "published_at", "live", "translator", "updated_at"]
    list_filter = ["language", "status"]
    list_select_related = ["article", "translator"]
    search_fields = ["title", "summary", "body", "article__title"]
    actions = ["publish"]
    fieldsets = [
        (None, {"fields": ["article", "language", "title", "summary", "body", "preview"]}),
        ("Publishing", {"fields": ["status", "published_at", "translator"]}),
        ("About", {"fields": ["meta_description"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["preview", "translator"]
        if obj is not None:
            readonly += ["article", "language"]
        if not self._can_publish(request):
            readonly.append("published_at")
        return readonly

    def save_model(self, request, obj, form, change):
        article_translation_save(translation=obj, by=request.user)
        self._warn_if_unpublishable(request, obj.body)

    @admin.action(description="Publish selected translations", permissions=["publish"])
    def publish(self, request, queryset):
        changed, refused = article_translations_publish(translations=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d translation published.", "%(count)d translations published.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )
        self._report_refused(request, refused)
