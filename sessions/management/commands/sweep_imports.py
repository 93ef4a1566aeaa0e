from django.core.management.base import BaseCommand

from sessions import import_files


class Command(BaseCommand):
    help = (
        "Delete admin-import uploads nobody confirmed within an hour (and those of a worker that stopped "
        "mid-job), and import outcomes older than a day, from IMPORT_UPLOAD_DIR. The import page and each "
        "import job also do this; run it hourly so nothing waits for the next import."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {import_files.sweep()} file(s).")
