import json

from django.core.management.base import BaseCommand, CommandError

from clinic.lib.jobs import queue_status


class Command(BaseCommand):
    help = (
        "Print the background-job queue as JSON: jobs ready to run, how long the oldest has waited, jobs "
        "running, jobs failed in the last day. Exit 1 when the oldest has waited longer than --max-wait: "
        "the worker (manage.py db_worker) is down or cannot keep up."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-wait", type=int, default=300, metavar="SECONDS", help="Alert threshold (default 300)."
        )

    def handle(self, *args, max_wait, **options):
        status = queue_status()
        self.stdout.write(json.dumps(status))
        waited = status["oldest_ready_seconds"]
        if waited is not None and waited > max_wait:
            raise CommandError(f"The oldest job has waited {waited} s (more than {max_wait} s): is db_worker running?")
