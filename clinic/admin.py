from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path

from clinic.lib.formfields import RangeCheckedModelMultipleChoiceField, out_of_range


class ClinicChangeList(ChangeList):
    """Django's change list, taking a filter it cannot turn into a date (a year beyond any calendar,
    `?started_at__year=99999999999999999999`) for the wrong filter it is: the list reloads with
    Django's "?e=1" instead of failing. Django already does so for an impossible date, but not for
    a number too large to be a year at all."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


def _readable(field, value, using="default"):
    """True when `value` (from a URL or a form) is something `field` can hold: of its type and, for a
    number, within its column's range (SQLite cannot even look up a number beyond it)."""
    try:
        number = field.to_python(value)
    except ValidationError:
        return False
    return not out_of_range(field, number, using)


class _ShowsOnlyReadableChoices:
    """An autocomplete widget that, showing a form again, leaves out chosen values its field cannot
    hold; Django's would look them up and fail on a posted "abc" for a numeric id."""

    def optgroups(self, name, value, attr=None):
        related = self.field.remote_field.model._meta
        to_field = related.get_field(getattr(self.field.remote_field, "field_name", None) or related.pk.name)
        readable = [choice for choice in value if _readable(to_field, choice, self.db or "default")]
        return super().optgroups(name, readable, attr)


class ClinicAutocompleteSelect(_ShowsOnlyReadableChoices, AutocompleteSelect):
    pass


class ClinicAutocompleteSelectMultiple(_ShowsOnlyReadableChoices, AutocompleteSelectMultiple):
    pass


class _SiteDefaults:
    """What every model admin on this site does, whichever app registered it."""

    def get_changelist(self, request, **kwargs):
        return ClinicChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", ClinicAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", RangeCheckedModelMultipleChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            widget = ClinicAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("widget", widget)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class _HistoryIdsChecked:
    """django-simple-history's history pages, answering an id that cannot be one (`/history/abc/`)
    as a missing record instead of failing on it."""

    def history_view(self, request, object_id, extra_context=None):
        if not _readable(self.opts.pk, unquote(object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history = getattr(self.model, self.opts.simple_history_manager_attribute).model._meta
        if not (_readable(self.opts.pk, unquote(object_id)) and _readable(history.pk, version_id)):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class ClinicAdminSite(admin.AdminSite):
    """The staff back office. Extra staff pages (the outcomes dashboard) hang off `get_urls`."""

    site_header = "Acuflow administration"
    site_title = "Acuflow admin"
    index_title = "Clinic back office"
    index_template = "admin/clinic_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, with this site's defaults (`_SiteDefaults`, `_HistoryIdsChecked`) for
        every model, also those of other apps (users, django-axes)."""
        admin_class = admin_class or admin.ModelAdmin
        defaults = (_SiteDefaults,)
        if hasattr(admin_class, "history_form_view"):
            defaults = (_HistoryIdsChecked, *defaults)
        super().register(model_or_iterable, type(admin_class.__name__, (*defaults, admin_class), {}), **options)

    @property
    def login_form(self):
        # Imported when first used, like the dashboard below: auth's forms need the apps ready.
        from clinic.forms import AdminSignInForm

        return AdminSignInForm

    def get_urls(self):
        return [
            path("outcomes/", self.admin_view(self.outcomes_view), name="outcomes"),
            path("outcomes/research-export.csv", self.admin_view(self.research_export_view), name="research_export"),
            *super().get_urls(),
        ]

    def outcomes_view(self, request):
        # Imported when first used: this module is loaded while the admin app starts, before
        # the apps whose models the dashboard reads are ready.
        from clinic.dashboard import outcomes_dashboard

        return outcomes_dashboard(request, self)

    def research_export_view(self, request):
        from clinic.dashboard import research_export_download

        return research_export_download(request)
