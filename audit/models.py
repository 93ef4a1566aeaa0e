from auditlog.models import LogEntry
from django.utils.translation import gettext_lazy as _


class RecordAccessManager(LogEntry.objects.__class__):
    def get_queryset(self):
        return super().get_queryset().filter(action=LogEntry.Action.ACCESS)


class RecordAccess(LogEntry):
    """One view of patient data (clinic.lib.access_audit.access_record), as the clinic lead reads the trail."""

    objects = RecordAccessManager()

    class Meta:
        proxy = True
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")
        ordering = ["-timestamp"]
