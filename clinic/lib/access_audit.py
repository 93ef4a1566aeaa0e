"""Who looked at a record (HIPAA's audit controls): one entry per view of patient data.

Entries are django-auditlog LogEntry rows with the action "access": who (the user, and their
username in `additional_data` so the entry outlives the account), when, which patient (the
record's pk, and its opaque reference as the representation, never a name), which page (the URL
name and path, which carry opaque references only) and the client address (clinic.lib.clientaddress).
Every app records through `access_record`; the clinic lead reads the trail in admin (audit app),
and nothing in the app edits or deletes an entry.
"""

from clinic.lib.clientaddress import client_address


def access_record(request, *, record, **detail):
    """Record that `request.user` saw the data of `record`: a patient, or a model class when a page
    shows many records at once (a list, the outcomes dashboard). `detail` adds what the page was
    asked for (say all_patients=True, download="csv"). Return the entry."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    many = isinstance(record, type)
    user = request.user if request.user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    return LogEntry.objects.create(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(record),
        object_pk="" if many else str(record.pk),
        object_id=None if many else record.pk,
        object_repr="" if many else getattr(record, "patient_ref", str(record.pk)),
        actor=user,
        remote_addr=client_address(request) or None,
        additional_data={
            "page": match.view_name if match else "",
            "path": request.path,
            "method": request.method,
            "user": user.get_username() if user else "",
            **detail,
        },
    )


class AccessRecordedAdmin:
    """A ModelAdmin mixin: each view of a record's page, its history and the list is an access entry.

    `accessed_patient(obj)` names whose data a record is (the record itself for a patient).
    """

    def accessed_patient(self, obj):
        return obj

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            access_record(request, record=self.accessed_patient(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            access_record(request, record=self.model)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._record_history_access(request, object_id, response)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._record_history_access(request, object_id, response)
        return response

    def _record_history_access(self, request, object_id, response):
        from django.contrib.admin.utils import unquote

        obj = self.get_object(request, unquote(object_id)) if response.status_code == 200 else None
        if obj is not None:
            access_record(request, record=self.accessed_patient(obj))
