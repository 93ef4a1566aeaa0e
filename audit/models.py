from auditlog.models import LogEntry


class RecordAccessManager(LogEntry.objects.__class__):
    def get_queryset(self):
        return super().get_queryset().filter(action=LogEntry.Action.ACCESS)


class RecordAccess(LogEntry):
    """One view of patient data (clinic.lib.access_audit.access_record), as the clinic lead reads the trail."""

    objects = RecordAccessManager()

    class Meta:
        proxy = True
        verbose_name = "record access"
        verbose_name_plural = "record accesses"
        ordering = ["-timestamp"]
