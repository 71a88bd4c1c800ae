"""Load the demo landscape: registries in every state, committees, providers, demo accounts.

    manage.py load_demo [--scale N] [--force]

Re-runnable: when the demo data is already there (the user registry@example.org exists) it
says so and exits with status 0, so ``make demo`` can run again. ``--force`` first deletes the
register's data (registries, holders, care types, providers, reviews, decisions, the audit
trail) and every @example.org user, then loads afresh: for demo databases only.
``--scale N`` loads N copies of every registry (acronyms dhfa-2, dhfa-3, ...) and of every
provider, with tables about N times as large, for benchmarks.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from register import demo


class Command(BaseCommand):
    help = "Load demo data (idempotent: does nothing when it is already loaded, unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="N × the demo size (default 1)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete the register's data and the @example.org users first (demo databases only)",
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="printed with the accounts"
        )

    def handle(self, *args, scale=1, force=False, url="http://127.0.0.1:8000", **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        if demo.demo_loaded():
            if not force:
                self.stdout.write("Demo data is already loaded (use --force to delete and reload).")
                self.print_accounts(url)
                return
            self.stdout.write("Deleting the existing demo data ...")
            demo.wipe()
        started = time.monotonic()
        self.stdout.write(f"Loading demo data (scale {scale}) ...")
        with transaction.atomic():
            loader = demo.load(scale=scale, log=self.stdout.write)
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load: without them the planner takes the new tables
            # for empty ones and picks nested loops that take minutes at --scale 5.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(loader.registries)} registries and {scale * len(demo.content.PROVIDERS)} "
                f"providers in {time.monotonic() - started:.1f} s."
            )
        )
        self.print_accounts(url)

    def print_accounts(self, url):
        self.stdout.write(f"\nThe portal: {url}/  (sign in at {url}/accounts/login/)")
        self.stdout.write(f'Demo accounts, password "{demo.PASSWORD}" for each:')
        for email, role in demo.ACCOUNTS:
            self.stdout.write(f"  {email:26} {role}")
