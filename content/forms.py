from django import forms
from django.core.exceptions import ValidationError

from content.models import RESERVED_SLUGS, Article
from content.rendering import embed_problems, image_problems
from content.services import article_settle


class ArticleAdminForm(forms.ModelForm):
    """The admin form. `can_publish` is set by the admin from the user's permissions."""

    can_publish = True

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "status",
            "published_at",
            "source",
            "source_url",
            "tags",
            "conditions",
            "meta_description",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField article-body-input"})}

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                "“%(slug)s” is the address of a page; choose another.", code="reserved", params={"slug": slug}
            )
        return slug

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("title"):
            # The slug and publish-now rules are the service's: ask it what saving will make of these values.
            draft = Article(pk=self.instance.pk, title=cleaned_data["title"], status=cleaned_data.get("status"))
            for name in ("slug", "published_at"):
                setattr(draft, name, cleaned_data.get(name) if name in self.fields else getattr(self.instance, name))
            article_settle(article=draft)
            cleaned_data.update(slug=draft.slug, published_at=draft.published_at)
        return cleaned_data

    def clean_body(self):
        body = self.cleaned_data["body"]
        problems = embed_problems(body)
        if problems:
            raise ValidationError(problems, code="embed")
        problems = image_problems(body)
        if problems:
            raise ValidationError(problems, code="image")
        return body

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.can_publish:
            raise ValidationError(
                "You may not publish articles: choose “In review” and an editor will publish it.", code="publish"
            )
        return status
