"""Compile every .po translation of the project into the .mo file Django reads.

Django's own compilemessages needs GNU gettext's msgfmt, which a bare machine with only Python
does not have; Babel's compiler is pure Python. `make run`, `make test` and a deployment's build
step run this; the .mo files are build output, not kept in git.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def translation_files():
    """The django.po files of LOCALE_PATHS and of our own apps' locale folders (not installed packages')."""
    folders = [Path(folder) for folder in settings.LOCALE_PATHS]
    ours = [app for app in apps.get_app_configs() if Path(app.path).parent == Path(settings.BASE_DIR)]
    folders += [Path(app.path) / "locale" for app in ours]
    return sorted(po for folder in folders if folder.is_dir() for po in folder.glob("*/LC_MESSAGES/django.po"))


class Command(BaseCommand):
    help = "Compile the project's .po translations into .mo files (no GNU gettext needed)."

    def handle(self, *args, **options):
        for po_path in translation_files():
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            problems = [
                f"{po_path}:{message.lineno}: {error}" for message, errors in catalog.check() for error in errors
            ]
            if problems:
                raise CommandError("\n".join(problems))
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalog)  # fuzzy entries are left out, as msgfmt does
            if options["verbosity"]:
                self.stdout.write(f"{po_path.relative_to(settings.BASE_DIR)}: {len(catalog)} messages")
