import os

from django.core.management.base import BaseCommand, CommandError

from clinic.lib.progress import Progress
from sessions.importing import ImportBusy, ImportRejected, sessions_import

# Files larger than this show a progress bar on stderr while they are read.
PROGRESS_FROM_BYTES = 1_000_000


class Command(BaseCommand):
    help = (
        "Import historical treatment sessions from a CSV file (see the README). All or nothing: "
        "any problem is reported as `line N: column: message` and nothing is written. Importing "
        "the same file again updates the same sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file, UTF-8, with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; write nothing.")

    def handle(self, *args, file, dry_run, **options):
        try:
            source = open(file, "rb")  # noqa: SIM115 - closed below, whatever happens
        except OSError as error:
            raise CommandError(f"Cannot open {file}: {error.strerror}.") from None
        with source:
            size = os.fstat(source.fileno()).st_size
            progress = (
                Progress(size, f"Reading {os.path.basename(file)} (bytes)", stream=self.stderr)
                if size >= PROGRESS_FROM_BYTES
                else None
            )
            try:
                summary = sessions_import(source=source, dry_run=dry_run, progress=progress)
            except ImportRejected as rejected:
                for problem in rejected.problems:
                    self.stderr.write(problem)
                raise CommandError(f"Nothing was imported: {len(rejected.problems)} problem(s) in {file}.") from None
            except ImportBusy as busy:
                raise CommandError(f"{busy} Run the import again in a few minutes.") from None
            finally:
                if progress:
                    progress.finish()
        self.stdout.write(("Dry run, nothing written. " if dry_run else "Imported. ") + str(summary))
