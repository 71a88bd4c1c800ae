"""Accountability-table XLSX exchange: our reader/writer against bare openpyxl.

    DEBUG=1 .venv/bin/python bench/table_io_bench.py [--variables 5000]

Sets Django up itself on a throw-away SQLite database (DATABASE_URL is always replaced, so no
real database is touched). Builds a table of N variables × every provider category (9 after
migrate), writes it with our exporter, then measures in one run, best of 3:

(a) import: ``read_table`` (parse + validate, no database) and the full import into the
    database, against openpyxl's own read_only iteration over every cell of the same file;
    peak Python memory (tracemalloc) of each, in a separate traced run;
(b) export: ``table_bytes`` (our write_only writer with text-forced cells), and the full
    export from the database, against openpyxl write_only appending the same values.
"""

import argparse
import gc
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 3


def setup_django(directory: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "register.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def best_time(function) -> float:
    times = []
    for _ in range(REPEAT):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory(function) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def build_table(count: int, categories: list[str]):
    from register.table_io import Table, TableIndicator, TableVariable

    data_types = ["text", "number", "date", "boolean", "code"]
    sets = ["base", "plus", None]
    variables = []
    for n in range(count):
        variables.append(
            TableVariable(
                code=f"VAR_{n:05d}",
                name=f"Variabele {n} met een gewone naam",
                description="Omschrijving van de variabele, zoals in het EPD vastgelegd."
                + (" =geen formule" if n % 50 == 0 else ""),
                data_type=data_types[n % 5],
                unit="kg" if n % 5 == 1 else "",
                code_system="snomed" if n % 3 == 0 else "none",
                code_system_code=str(300000000 + n) if n % 3 == 0 else "",
                purposes=["learn_improve", "case_mix"] if n % 2 else ["indicator"],
                indicators=[f"IND-{n % 40}"] if n % 4 == 0 else [],
                personal_data=["none", "quasi", "direct"][n % 3],
                generalisation="geboortejaar in plaats van geboortedatum" if n % 7 == 0 else "",
                necessity="Nodig voor de casemixcorrectie van de uitkomstindicatoren.",
                proportionality="Alleen wat nodig is; -geen- extra gegevens.",
                subsidiarity="Er is geen minder ingrijpend alternatief.",
                ehr_source=["yes", "partly", "no"][n % 3],
                requirements={
                    code: sets[(n + i) % 3]
                    for i, code in enumerate(categories)
                    if sets[(n + i) % 3] is not None
                },
            )
        )
    indicators = [
        TableIndicator(code=f"IND-{i}", name=f"Indicator {i}", kind="uitkomst", description="")
        for i in range(40)
    ]
    return Table(variables=variables, indicators=indicators)


def openpyxl_read_all(content: bytes) -> int:
    """openpyxl's own read_only iteration over every cell (and its value) of every sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    count = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cell.value  # noqa: B018 - touch every value
                count += 1
    workbook.close()
    return count


def openpyxl_write_all(rows: list[list[str]], indicator_rows: list[list[str]]) -> bytes:
    """openpyxl write_only appending the same values (no cell objects, no styles)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, sheet_rows in (("Verantwoordingstabel", rows), ("Indicatoren", indicator_rows)):
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append([value or None for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variables", type=int, default=5000)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        from django.db import connection

        from register.models import ProviderCategory, Registry, RegistryHolder
        from register.table_io import (
            INDICATOR_COLUMNS,
            accountability_table_import,
            escape_cell,
            read_table,
            table_bytes,
            table_export,
            table_rows,
        )

        categories = list(ProviderCategory.objects.values_list("code", flat=True))
        table = build_table(arguments.variables, categories)
        content = table_bytes(table, format="xlsx", categories=categories)
        holder = RegistryHolder.objects.create(name="Bench", contact_email="bench@example.org")
        registry = Registry.objects.create(
            acronym="bench", name="Bench", holder=holder, data_processor="Bench"
        )

        def full_import():
            return accountability_table_import(
                registry=registry, actor=None, table=read_table(content, format="xlsx"), system=True
            )

        assert read_table(content, format="xlsx") == table, "export -> import changed the table"
        version = full_import()
        cells = openpyxl_read_all(content)
        print(
            f"table: {arguments.variables} variables x {len(categories)} categories; "
            f"xlsx {len(content) / 1e6:.2f} MB, {cells} cells; "
            f"SQLite ({connection.vendor}); best of {REPEAT}"
        )

        print("\n(a) import")
        ours_read = best_time(lambda: read_table(content, format="xlsx"))
        ours_import = best_time(full_import)
        base_read = best_time(lambda: openpyxl_read_all(content))
        mem_read = peak_memory(lambda: read_table(content, format="xlsx"))
        mem_import = peak_memory(full_import)
        mem_base = peak_memory(lambda: openpyxl_read_all(content))
        for label, seconds, memory in (
            ("openpyxl read_only, every cell", base_read, mem_base),
            ("read_table (parse + validate)", ours_read, mem_read),
            ("full import into the database", ours_import, mem_import),
        ):
            print(
                f"  {label:34} {seconds:7.3f} s  x{seconds / base_read:5.2f}"
                f"  peak {memory / 1e6:6.1f} MB  x{memory / mem_base:5.2f}"
            )

        print("\n(b) export")
        rows = [[escape_cell(c) for c in row] for row in table_rows(table, categories)]
        indicator_rows = [[c.header for c in INDICATOR_COLUMNS]] + [
            [escape_cell(getattr(i, c.key)) for c in INDICATOR_COLUMNS] for i in table.indicators
        ]
        base_write = best_time(lambda: openpyxl_write_all(rows, indicator_rows))
        ours_write = best_time(lambda: table_bytes(table, format="xlsx", categories=categories))
        ours_export = best_time(lambda: table_export(version, format="xlsx"))
        mem_base_write = peak_memory(lambda: openpyxl_write_all(rows, indicator_rows))
        mem_write = peak_memory(lambda: table_bytes(table, format="xlsx", categories=categories))
        for label, seconds, memory in (
            ("openpyxl write_only, same values", base_write, mem_base_write),
            ("table_bytes (our writer)", ours_write, mem_write),
            ("full export from the database", ours_export, None),
        ):
            extra = f"  peak {memory / 1e6:6.1f} MB" if memory is not None else ""
            print(f"  {label:34} {seconds:7.3f} s  x{seconds / base_write:5.2f}{extra}")
        connection.close()


if __name__ == "__main__":
    main()
