from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refuses: the access trail is kept (django-auditlog's auditlogflush would delete it)."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--yes", "-y", action="store_true")
        parser.add_argument("--before-date", "-b")

    def handle(self, *args, **options):
        raise CommandError("The access trail is kept: Acuflow does not delete record accesses.")
