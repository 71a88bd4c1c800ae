"""Write a registry's accountability table to standard output (or --output FILE).

    manage.py export_accountability_table DHFA [--version N] [--format csv|json|xlsx]

Without --version: the registry's newest version. Default format: csv. The layout is the one
``import_accountability_table`` reads (docs/accountability-table.md), so export → import gives
the same table.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from register.models import Registry
from register.table_io import FORMATS, table_export


class Command(BaseCommand):
    help = "Export a registry's accountability table as csv, json or xlsx to standard output."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # The contract's --version N (dataset version) replaces Django's --version flag.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("acronym")
        parser.add_argument(
            "--version", dest="number", type=int, help="version number (default: newest)"
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, acronym, number=None, format="csv", output=None, **options):
        registry = Registry.objects.filter(acronym__iexact=acronym).first()
        if registry is None:
            raise CommandError(f"unknown registry: {acronym}")
        versions = registry.dataset_versions.order_by("-number")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            raise CommandError(
                f"{registry.display_acronym} has no version {number}"
                if number
                else f"{registry.display_acronym} has no dataset version"
            )
        content = table_export(version, format=format)
        if output:
            with open(output, "wb") as fh:
                fh.write(content)
            return
        stream = getattr(self.stdout, "_out", sys.stdout)
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(content)
            buffer.flush()
        elif format == "xlsx":
            raise CommandError("xlsx is binary: use --output FILE or a binary standard output")
        else:
            stream.write(content.decode("utf-8"))
