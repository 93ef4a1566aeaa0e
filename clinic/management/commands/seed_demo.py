from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic.demo import DEMO_PASSWORD, demo_patients_create, demo_users_create
from clinic.lib.progress import Progress
from content.demo import demo_articles_create
from protocols.demo import demo_protocols_create


class Command(BaseCommand):
    help = (
        "Create demo users (one per role) and synthetic demo patients with sessions. "
        "Idempotent: what exists already is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=120, help="How many demo patients (default 120).")
        parser.add_argument(
            "--sessions-each",
            type=int,
            choices=range(1, 11),
            metavar="1-10",
            help="Give every new demo patient exactly this many sessions (default: 1–10, as in a real clinic).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off. The demo users have a published password: never on a live clinic.",
        )

    def handle(self, *args, patients, sessions_each, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: demo users have a published password. "
                "Use --allow-production only on a demo or test server."
            )
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")

        users = demo_users_create()
        protocols = demo_protocols_create()
        progress = Progress(patients, "Demo patients", stream=self.stderr) if patients >= 5000 else None
        made_patients, made_sessions = demo_patients_create(
            count=patients, sessions_each=sessions_each, progress=progress
        )
        if progress:
            progress.finish()

        self.stdout.write(
            f"Demo data: {made_patients} patients and {made_sessions} sessions created "
            f"({patients - made_patients} demo patients were already there)."
        )
        self.stdout.write(f"Demo articles: {demo_articles_create()} created.")
        self.stdout.write(f"Demo protocols: {protocols} created.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, group_name, _is_new in users:
            self.stdout.write(f"  {username:<22} {group_name}")
        self.stdout.write("Practitioners sign in at /practice/, staff at /admin/.")
