"""Import an accountability table (.csv, .json or .xlsx) as a new draft version of a registry.

    manage.py import_accountability_table DHFA tabel.xlsx [--user admin@example.org]

All or nothing: on any error nothing is written, every error is printed on standard error
(naming row and column) and the command exits with status 1. With ``--user`` the import is done
as that user, who needs the grant to manage the registry's dossier, and the audit trail names
them; without it the operator's command acts as the system (audit entry without a user).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from register.exceptions import DomainError
from register.models import Registry
from register.table_io import FORMATS, TableInvalid, accountability_table_import, read_table_file


def command_actor(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"unknown or inactive user: {username}")
    return user


class Command(BaseCommand):
    help = "Import an accountability table (.csv, .json, .xlsx) as a new draft dataset version."

    def add_arguments(self, parser):
        parser.add_argument("acronym", help="the registry's acronym, e.g. DHFA")
        parser.add_argument("file", help="a .csv, .json or .xlsx file in the exchange layout")
        parser.add_argument(
            "--user",
            help="username (e-mail) to act as; without it the command acts as the system",
        )

    def handle(self, *args, acronym, file, user=None, **options):
        registry = Registry.objects.filter(acronym__iexact=acronym).first()
        if registry is None:
            raise CommandError(f"unknown registry: {acronym}")
        path = Path(file)
        if path.suffix.lower().lstrip(".") not in FORMATS:
            raise CommandError(f"unknown file format {path.suffix!r}: use .csv, .json or .xlsx")
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        actor = command_actor(user) if user else None
        try:
            table = read_table_file(path)
            version = accountability_table_import(
                registry=registry,
                actor=actor,
                table=table,
                source=path.name,
                system=actor is None,
            )
        except TableInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported") from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{registry.display_acronym}: version {version.number} (draft) with "
            f"{version.variables.count()} variables imported from {path.name}"
        )
