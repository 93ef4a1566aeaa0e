from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.pooling import SITE_NAME_LENGTH, summary_read


class PartnerSummary(models.Model):
    """A partner clinic's cohort summary (from its `cohort_summary`), uploaded by the clinic lead.

    Sums per condition only, never a patient's row. One summary per site: a new upload for a site
    replaces its previous one. `document` is the file as uploaded, checked by sessions.pooling.
    """

    site = models.CharField(max_length=SITE_NAME_LENGTH, unique=True)
    document = models.JSONField()
    generated_at = models.DateTimeField(help_text=_("When the partner made the summary."))
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["site"]
        verbose_name_plural = _("partner summaries")

    def __str__(self):
        return self.site

    def summary(self):
        """Return the sessions.pooling.SiteSummary of the stored document."""
        return summary_read(self.document)

    @property
    def parameters(self):
        return self.document.get("parameters", {})
