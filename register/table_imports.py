"""Importing an accountability table uploaded in the portal.

``table_import_start`` checks the upload (permission, size, format by content), stores it as a
``TableImport`` and imports it: in the request when it has at most
``settings.TABLE_IMPORT_SYNC_ROWS`` rows, else by the Celery task ``run_table_import`` after
commit, behind a page with a progress bar. ``table_import_run`` does the import itself, all or
nothing (``table_io.accountability_table_import``): a file with any error changes nothing and
every error is kept, with its sheet, row and column, for the page and the downloadable list.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import zipfile

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .audit import audit_record
from .exceptions import DomainError, PermissionDenied
from .models import Registry, TableImport, TableImportStatus
from .table_io import (
    FORMATS,
    TableError,
    TableInvalid,
    _decode,
    _xlsx_sheets,
    accountability_table_import,
    read_table,
)

logger = logging.getLogger(__name__)

# Progress (percent) at the start of each phase; committed as the import goes, so the status
# page shows it while the import's own transaction is still open.
PROGRESS_READING = 5  # parsing and validating the file
PROGRESS_WRITING = 60  # the table is valid: writing the new version
PROGRESS_DONE = 100

FORMAT_NAMES = {"xlsx": "Excel (.xlsx)", "csv": "CSV (.csv)", "json": "JSON (.json)"}


# --- Checking the upload --------------------------------------------------------------------


def table_file_format(content: bytes, name: str) -> str:
    """The format the file's name promises, once its content is checked to be that format.

    XLSX must be a ZIP package with a workbook part, JSON must parse, CSV must be text (UTF-8
    or Windows-1252, no NUL bytes). Raises DomainError on the field ``file``.
    """
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise DomainError(
            _("Upload an Excel (.xlsx), CSV (.csv) or JSON (.json) file."), field="file"
        )
    if extension == "xlsx":
        if not _is_workbook(content):
            raise DomainError(
                _(
                    "This file is named .xlsx but its content is not an Excel workbook. "
                    "Save the table as an Excel workbook (.xlsx), CSV or JSON and upload that."
                ),
                field="file",
            )
    elif extension == "json":
        try:
            json.loads(_decode(content))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            line = getattr(error, "lineno", "-")
            raise DomainError(
                _("This file is named .json but its content is not valid JSON (line %(line)s).")
                % {"line": line},
                field="file",
            ) from None
    elif not _is_text(content):
        raise DomainError(
            _(
                "This file is named .csv but its content is not text. Save the table as CSV "
                "(comma- or semicolon-separated) and upload that."
            ),
            field="file",
        )
    return extension


def _is_workbook(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\b")


def table_row_count(content: bytes, format: str) -> int:
    """The number of table rows (variables), counted quickly without validating: it decides
    whether the import runs in the request or in the background. 0 when the file cannot be
    read; the import then reports why."""
    try:
        if format == "json":
            data = json.loads(_decode(content))
            variables = data.get("variables") if isinstance(data, dict) else None
            return len(variables) if isinstance(variables, list) else 0
        if format == "csv":
            text = _decode(content)
            first_line = text.split("\n", 1)[0]
            delimiter = max([",", ";", "\t"], key=first_line.count)
            rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            return max(sum(1 for row in rows if any(cell.strip() for cell in row)) - 1, 0)
        return _xlsx_row_count(content)
    except Exception:  # a damaged file: reading it properly names the error
        return 0


def _xlsx_row_count(content: bytes) -> int:
    """Rows of the table sheet, counted as <row> elements in its XML (streamed)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        table_sheet, _indicators = _xlsx_sheets(workbook)
        path = table_sheet._worksheet_path
    finally:
        workbook.close()
    count, tail = 0, b""
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(path) as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            # A tag cut at the chunk's end is counted with the next chunk.
            cut = data.rfind(b"<", max(len(data) - 64, 0))
            if cut == -1:
                cut = len(data)
            count += len(ROW_TAG.findall(data, 0, cut))
            tail = data[cut:]
        count += len(ROW_TAG.findall(tail))
    return max(count - 1, 0)


def runs_in_background(job: TableImport) -> bool:
    return job.row_count > settings.TABLE_IMPORT_SYNC_ROWS


# --- Starting and running an import ---------------------------------------------------------


def table_import_start(*, registry: Registry, actor, upload) -> TableImport:
    """Check and store an uploaded table, and import it (see the module docstring).

    Permission: the actor manages the registry's dossier. Refused before anything is stored:
    a file over ``settings.MAX_UPLOAD_BYTES`` and a file whose content is not the format its
    name says. The returned import is finished when it ran in the request; a background one
    may still be pending (``runs_in_background``).
    """
    from .tasks import run_table_import

    if not permissions.can_manage_dossier(actor, registry):
        raise PermissionDenied(_("You may not do this."))
    if not upload:
        raise DomainError(_("Choose a file to upload."), field="file")
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise DomainError(
            _(
                "The file is %(size)s; an accountability table file may be at most %(limit)s. "
                "Split the table or leave out what is not part of it."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field="file",
        )
    name = os.path.basename(upload.name or "")
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if not content:
        raise DomainError(_("The file is empty."), field="file")
    format = table_file_format(content, name)
    rows = table_row_count(content, format)
    with transaction.atomic():
        job = TableImport(
            registry=registry,
            uploaded_by=actor,
            original_name=name[:255],
            format=format,
            row_count=rows,
        )
        job.file.save(name, upload, save=False)
        job.save()
        background = runs_in_background(job)
        audit_record(
            actor=actor,
            action="table_import.start",
            obj=job,
            registry=registry,
            changes={"file": name, "format": format, "rows": rows, "background": background},
        )
        if background:
            job_id = job.pk
            transaction.on_commit(lambda: run_table_import.delay(job_id))
    if not background:
        table_import_run(job.pk)
        job.refresh_from_db()
    return job


def _set_progress(job_id: int, progress: int) -> None:
    TableImport.objects.filter(pk=job_id, status=TableImportStatus.RUNNING).update(
        progress=progress
    )


def _fail(job: TableImport, errors: list[str], details: list[TableError] | None = None) -> None:
    """Record the errors; an import already done is left as it is."""
    if details is None or len(details) != len(errors):
        details = [TableError("", "", "", str(error)) for error in errors]
    updated = (
        TableImport.objects.filter(pk=job.pk)
        .exclude(status=TableImportStatus.DONE)
        .update(
            status=TableImportStatus.FAILED,
            errors=[str(error) for error in errors],
            error_details=[[d.sheet, d.row, d.column, d.message] for d in details],
            finished_at=timezone.now(),
        )
    )
    if updated:
        audit_record(
            actor=job.uploaded_by,
            action="table_import.failed",
            obj=job,
            registry=job.registry,
            changes={"file": job.original_name, "errors": len(errors)},
        )


def table_import_run(job_id: int) -> None:
    """Import a stored upload as a new draft version; all or nothing, safe to run twice.

    Phases: read and validate the file, then write the version in one transaction. Progress
    is committed between them; on any error the import is marked failed with every error
    (sheet, row, column, message) and nothing of the table is written.
    """
    with transaction.atomic():
        job = (
            TableImport.objects.select_for_update(of=("self",))
            .select_related("registry", "uploaded_by")
            .get(pk=job_id)
        )
        if job.is_finished:
            return
        job.status = TableImportStatus.RUNNING
        job.progress = PROGRESS_READING
        job.save(update_fields=["status", "progress"])
    try:
        try:
            with job.file.open("rb") as handle:
                content = handle.read()
        except OSError:
            _fail(job, [_("The uploaded file can no longer be read; upload it again.")])
            return
        table = read_table(content, format=job.format)
        _set_progress(job.pk, PROGRESS_WRITING)
        with transaction.atomic():
            locked = TableImport.objects.select_for_update().get(pk=job.pk)
            if locked.is_finished:  # another run finished it meanwhile
                return
            version = accountability_table_import(
                registry=job.registry,
                actor=job.uploaded_by,
                table=table,
                source=job.original_name,
            )
            locked.status = TableImportStatus.DONE
            locked.progress = PROGRESS_DONE
            locked.created_version = version
            locked.errors, locked.error_details = [], []
            locked.finished_at = timezone.now()
            locked.save()
            audit_record(
                actor=job.uploaded_by,
                action="table_import.done",
                obj=locked,
                registry=job.registry,
                changes={
                    "file": job.original_name,
                    "version": version.number,
                    "variables": len(table.variables),
                },
            )
    except TableInvalid as error:
        _fail(job, error.errors, error.details)
    except DomainError as error:
        _fail(job, [str(error.message)])
    except Exception:
        # Never leave the page waiting for an import that stopped: record it, keep the trace.
        logger.exception("table import %s stopped", job_id)
        _fail(
            job,
            [
                _(
                    "The import stopped on an unexpected error; nothing has been imported. "
                    "Try again, and contact the helpdesk if it happens again."
                )
            ],
        )


# --- Reading ----------------------------------------------------------------------------------


def table_imports_recent(*, registry: Registry, limit: int = 10):
    """The registry's latest imports, newest first, for the import page."""
    return registry.table_imports.select_related("created_version", "uploaded_by")[:limit]


def table_import_phase(job: TableImport) -> str:
    """What the import is doing, in words, for the progress page."""
    if job.status == TableImportStatus.PENDING:
        return _("Waiting to start.")
    if job.status == TableImportStatus.RUNNING and job.progress < PROGRESS_WRITING:
        return _("Reading and checking %(rows)s rows.") % {"rows": job.row_count}
    if job.status == TableImportStatus.RUNNING:
        return _("The table is valid; writing the new version.")
    return job.get_status_display()


def table_import_error_groups(job: TableImport) -> list[dict]:
    """The errors grouped by sheet, in the order they were found: [{sheet, errors}], each
    error a dict with row, column and message."""
    groups: dict[str, list[dict]] = {}
    for sheet, row, column, message in job.error_details:
        groups.setdefault(sheet, []).append({"row": row, "column": column, "message": message})
    return [{"sheet": sheet, "errors": errors} for sheet, errors in groups.items()]
