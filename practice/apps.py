from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """The practitioner workspace (/practice/): pages over patients, sessions and plans. No models."""

    name = "practice"
    verbose_name = "Practitioner workspace"
