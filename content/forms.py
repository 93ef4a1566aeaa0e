from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError

from clinic.lib.formfields import RangeCheckedModelMultipleChoiceField
from content.embeds import embed_problems
from content.models import RESERVED_SLUGS, Article, ArticleTranslation, Tag
from content.rendering import image_problems
from content.services import article_settle
from patients.models import Condition


class LabelledSplitDateTime(AdminSplitDateTime):
    """Admin's date and time boxes, each with a name of its own (Django shows "Date:" and "Time:" as plain text)."""

    def __init__(self, *, label, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = f"{label}: date"
        self.widgets[1].attrs["aria-label"] = f"{label}: time"


class PublishedTextForm(forms.ModelForm):
    """What the admin forms of an article and of its translation check alike: pictures, who may publish,
    and embeds on publishing. `can_publish` is set by the admin from the user's permissions."""

    can_publish = True
    publish_refused = "You may not publish articles: choose “In review” and an editor will publish it."

    def clean_body(self):
        # Pictures from other sites are refused whatever the status: a tracking pixel must not even wait in a draft.
        body = self.cleaned_data["body"]
        problems = image_problems(body)
        if problems:
            raise ValidationError(problems, code="image")
        return body

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.can_publish:
            raise ValidationError(self.publish_refused, code="publish")
        return status

    def clean(self):
        cleaned_data = super().clean()
        # A draft may hold a mistyped embed (the preview flags it); a published text may not, as article_save says.
        if cleaned_data.get("status") == Article.Status.PUBLISHED and "body" in cleaned_data:
            problems = embed_problems(cleaned_data["body"])
            if problems:
                self.add_error("body", [ValidationError(problem, code="embed") for problem in problems])
        return cleaned_data


class ArticleAdminForm(PublishedTextForm):
    """The admin form of an article."""

    # Checkboxes rather than admin's autocomplete boxes, whose search field has no label: a clinic has
    # a few conditions and a few dozen tags.
    tags = RangeCheckedModelMultipleChoiceField(
        queryset=Tag.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="New tags are added under Articles → Tags.",
    )
    conditions = RangeCheckedModelMultipleChoiceField(
        label="Related conditions",
        queryset=Condition.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

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
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField article-body-input"}),
            "published_at": LabelledSplitDateTime(label="Publication"),
        }

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


class ArticleTranslationAdminForm(PublishedTextForm):
    """The admin form of a translation: the original's rules for images, embeds and publishing."""

    publish_refused = "You may not publish translations: choose “In review” and an editor will publish it."

    class Meta:
        model = ArticleTranslation
        fields = ["article", "language", "title", "summary", "body", "status", "published_at", "meta_description"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField article-body-input"}),
            "published_at": LabelledSplitDateTime(label="Publication"),
        }
