"""What a dossier document may be: PDF, DOCX, XLSX or ODT by content, within the size limit.

The one check for every way in (web form, services, demo loader, application); the form calls
it early for feedback, ``services.document_add`` enforces it.
"""

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .exceptions import DomainError

ALLOWED_EXTENSIONS = {"pdf", "docx", "xlsx", "odt"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def sniff_document_type(upload) -> str | None:
    """The document type by content (magic bytes), not by name or browser-given type.

    PDF starts with ``%PDF-``; DOCX and XLSX are ZIP files with ``[Content_Types].xml`` and a
    ``word/`` or ``xl/`` part; ODT is a ZIP whose ``mimetype`` member names the ODF text type.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100 and archive.read("mimetype").strip() == ODT_MIMETYPE:
                    return "odt"
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def document_file_check(upload, *, field: str = "file") -> None:
    """Refuse a file that is too large, or whose content is not the type its extension names.

    Raises DomainError naming ``field``.
    """
    if not upload:
        raise DomainError(_("Choose a file to upload."), field=field)
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise DomainError(
            _("The file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field=field,
        )
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(_("Upload a PDF, DOCX, XLSX or ODT file."), field=field)
    if sniff_document_type(upload) != extension:
        raise DomainError(
            _("Upload a PDF, DOCX, XLSX or ODT file. This file's content is not a %(type)s file.")
            % {"type": extension.upper()},
            field=field,
        )
