"""Exchange of the accountability table (verantwoordingstabel) as CSV, XLSX or JSON.

The layout is documented in docs/accountability-table.md. Reading a file gives a ``Table``
(validated: every error names its row and column, in a workbook also its sheet);
``accountability_table_import`` turns a ``Table`` into a new draft dataset version of the
registry holding exactly that table, in one transaction. Writing goes the other way:
``table_from_version`` and ``table_export`` (``table_bytes`` for a ``Table`` in memory).

Spreadsheet safety: a cell that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading single quote, and
the quote is removed again on import, so export → import gives the same table.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .constants import (
    CodeSystem,
    DataType,
    EhrSource,
    PersonalDataClass,
    PseudonymType,
    Purpose,
    RequirementSet,
)
from .exceptions import DomainError, PseudonymNotAllowed
from .models import (
    DatasetVersion,
    Indicator,
    ProviderCategory,
    PseudonymRequest,
    Registry,
    Requirement,
    Variable,
)

FORMATS = ("csv", "json", "xlsx")
TABLE_SHEET = "Verantwoordingstabel"
INDICATOR_SHEET = "Indicatoren"

# --- The layout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key and Variable field (or "indicators")
    header: str  # the Dutch header written on export
    aliases: tuple[str, ...] = ()  # other accepted headers (English), compared case-insensitively
    required: bool = False


COLUMNS = [
    Column("code", "Code", ("code",), required=True),
    Column("name", "Variabele", ("variable", "name", "naam"), required=True),
    Column("description", "Omschrijving", ("description",)),
    Column("data_type", "Datatype", ("data type", "data_type", "type")),
    Column("unit", "Eenheid", ("unit",)),
    Column("code_system", "Codestelsel", ("code system", "code_system")),
    Column("code_system_code", "Code in codestelsel", ("code in code system", "code_system_code")),
    Column("purposes", "Doelen", ("purposes", "doel")),
    Column("indicators", "Indicatoren", ("indicators",)),
    Column(
        "personal_data", "Persoonsgegeven", ("personal data", "personal_data", "persoonsgegevens")
    ),
    Column("generalisation", "Generalisatie", ("generalisation", "generalization")),
    Column("necessity", "Noodzakelijkheid", ("necessity",)),
    Column("proportionality", "Proportionaliteit", ("proportionality",)),
    Column("subsidiarity", "Subsidiariteit", ("subsidiarity",)),
    Column("ehr_source", "Bron EPD", ("ehr source", "source in ehr", "ehr_source", "bron epd")),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEXT_KEYS = [
    "code",
    "name",
    "description",
    "unit",
    "code_system_code",
    "generalisation",
    "necessity",
    "proportionality",
    "subsidiarity",
]
INDICATOR_COLUMNS = [
    Column("code", "Code", ("code",), required=True),
    Column("name", "Naam", ("name",)),
    Column("kind", "Soort", ("kind", "type")),
    Column("description", "Omschrijving", ("description",)),
]

# Written values (Dutch) first; every other key is an accepted spelling (lower case).
CHOICE_VALUES: dict[str, dict[str, str]] = {
    "data_type": {
        DataType.TEXT: "tekst",
        DataType.NUMBER: "getal",
        DataType.DATE: "datum",
        DataType.BOOLEAN: "ja/nee",
        DataType.CODE: "code",
    },
    "code_system": {
        CodeSystem.SNOMED_CT: "SNOMED CT",
        CodeSystem.LOINC: "LOINC",
        CodeSystem.ICD10: "ICD-10",
        CodeSystem.ZIB: "ZIB",
        CodeSystem.DHD: "DHD",
        CodeSystem.G_STANDAARD: "G-Standaard",
        CodeSystem.NONE: "geen",
    },
    "purposes": {
        Purpose.LEARN_IMPROVE: "leren en verbeteren",
        Purpose.SHARED_DECISION: "samen beslissen",
        Purpose.INDICATOR: "indicator",
        Purpose.CASE_MIX: "casemix",
        Purpose.INSTRUMENT: "doorontwikkeling meetinstrument",
    },
    "personal_data": {
        PersonalDataClass.NONE: "geen",
        PersonalDataClass.DIRECT: "direct identificerend",
        PersonalDataClass.QUASI: "indirect identificerend",
    },
    "ehr_source": {EhrSource.YES: "ja", EhrSource.PARTLY: "deels", EhrSource.NO: "nee"},
    "requirement": {RequirementSet.BASE: "basis", RequirementSet.PLUS: "plus"},
}
EXTRA_SPELLINGS: dict[str, dict[str, str]] = {
    "data_type": {
        "": "text",
        "yes/no": "boolean",
        "ja-nee": "boolean",
        "janee": "boolean",
        "datum/tijd": "date",
    },
    "code_system": {
        "snomed": "snomed",
        "icd10": "icd10",
        "icd 10": "icd10",
        "g-standard": "gstandaard",
        "": "none",
    },
    "purposes": {
        "learning and improving": "learn_improve",
        "shared decision-making": "shared_decision",
        "casemixcorrectie": "case_mix",
        "case-mix correction": "case_mix",
        "case mix": "case_mix",
        "further development of the measurement instrument": "instrument",
        "doorontwikkeling": "instrument",
    },
    "personal_data": {
        "": "none",
        "directly identifying": "direct",
        "indirectly identifying": "quasi",
        "quasi-identifier": "quasi",
        "indirectly identifying (quasi-identifier)": "quasi",
    },
    "ehr_source": {"": "yes", "gedeeltelijk": "partly"},
    "requirement": {"basisset": "base", "base set": "base", "plusset": "plus", "plus set": "plus"},
}


def _spellings(kind: str) -> dict[str, str]:
    table = {}
    for value, written in CHOICE_VALUES[kind].items():
        table[str(value).lower()] = str(value)
        table[written.lower()] = str(value)
    enum = {
        "data_type": DataType,
        "code_system": CodeSystem,
        "purposes": Purpose,
        "personal_data": PersonalDataClass,
        "ehr_source": EhrSource,
        "requirement": RequirementSet,
    }[kind]
    for choice in enum:
        table[str(choice.label).lower()] = str(choice.value)
    table.update(EXTRA_SPELLINGS.get(kind, {}))
    return table


def written_value(kind: str, value: str) -> str:
    return CHOICE_VALUES[kind].get(value, value)


# --- The table in memory --------------------------------------------------------------------


@dataclass
class TableVariable:
    code: str
    name: str
    description: str = ""
    data_type: str = DataType.TEXT.value
    unit: str = ""
    code_system: str = CodeSystem.NONE.value
    code_system_code: str = ""
    purposes: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    personal_data: str = PersonalDataClass.NONE.value
    generalisation: str = ""
    necessity: str = ""
    proportionality: str = ""
    subsidiarity: str = ""
    ehr_source: str = EhrSource.YES.value
    requirements: dict[str, str] = field(default_factory=dict)  # category code -> base | plus


# The TableVariable fields that are Variable fields (all but the indicators and the cells).
VARIABLE_FIELDS = [
    f.name for f in dataclass_fields(TableVariable) if f.name not in ("indicators", "requirements")
]


@dataclass
class TableIndicator:
    code: str
    name: str = ""
    kind: str = ""
    description: str = ""


@dataclass
class TablePseudonym:
    type: str
    justification: str = ""


@dataclass
class Table:
    variables: list[TableVariable] = field(default_factory=list)
    indicators: list[TableIndicator] = field(default_factory=list)
    # None: the format has no place for them (CSV, XLSX); they carry over from the previous version.
    pseudonym_requests: list[TablePseudonym] | None = None

    def as_dict(self) -> dict:
        """The JSON layout (docs/accountability-table.md)."""
        data = {
            "variables": [asdict(v) for v in self.variables],
            "indicators": [asdict(i) for i in self.indicators],
        }
        if self.pseudonym_requests is not None:
            data["pseudonym_requests"] = [asdict(p) for p in self.pseudonym_requests]
        return data


@dataclass(frozen=True)
class TableError:
    """One error in structured form: where (sheet, row, column; empty when not known or
    when the format has no sheets) and what. ``TableInvalid.errors`` holds the same errors
    as one text each."""

    sheet: str
    row: str
    column: str
    message: str


class TableInvalid(DomainError):
    """The file cannot be imported; ``errors`` lists every problem, each naming row and column.

    ``details`` holds the same errors as ``TableError`` (sheet, row, column, message), in the
    same order; an error without a place (the file as a whole) has only a message.
    """

    def __init__(self, errors: list[str], details: list[TableError] | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        if details is None or len(details) != len(errors):
            details = [TableError("", "", "", str(error)) for error in errors]
        self.details = list(details)


def _cell_error(row, column: str, message: str) -> str:
    return _("row %(row)s, column %(column)s: %(message)s") % {
        "row": row,
        "column": column,
        "message": message,
    }


def _sheet_cell_error(sheet: str, row, column: str, message: str) -> str:
    return _("sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
        "sheet": sheet,
        "row": row,
        "column": column,
        "message": message,
    }


# --- Spreadsheet safety ---------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (and to text starting with
    a quote, so that ``unescape_cell`` is its exact inverse)."""
    if value and (value.startswith(FORMULA_STARTS) or value.startswith("'")):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in "'=+-@\t\r":
        return value[1:]
    return value


# --- Reading --------------------------------------------------------------------------------


class _Reader:
    """Validates rows given as {header: text} into a Table, collecting every error."""

    def __init__(self, *, json_layout: bool = False, sheet: str | None = None):
        self.errors: list[str] = []
        self.details: list[TableError] = []  # the same errors, structured
        self.json_layout = json_layout
        # XLSX: the sheet being read; errors then name it, and columns get their letter.
        self.sheet = sheet
        self.categories = {c.code.upper(): c.code for c in ProviderCategory.objects.all()}
        self.spellings = {kind: _spellings(kind) for kind in CHOICE_VALUES}

    def error(self, row, column, message):
        if self.sheet is None:
            self.errors.append(_cell_error(row, column, message))
        else:
            self.errors.append(_sheet_cell_error(self.sheet, row, column, message))
        self.details.append(TableError(self.sheet or "", str(row), str(column), str(message)))

    def label(self, position: int, header: str) -> str:
        """How errors name the column at 0-based ``position``: its header, and in a workbook
        also its letter ("Datatype (C)"; the letter alone when the header is empty)."""
        if self.sheet is None:
            return header
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(position + 1)
        return f"{header} ({letter})" if header else letter

    def map_headers(self, headers: list[str], row=1) -> tuple[dict[int, str], dict[int, str]]:
        """{position: column key} and {position: category code}; errors for unknown headers."""
        by_name = {}
        for column in COLUMNS:
            for name in (column.header, *column.aliases, column.key):
                by_name[name.strip().lower()] = column.key
        fields, categories, seen = {}, {}, {}
        for position, raw in enumerate(headers):
            header = (raw or "").strip()
            if not header:
                continue
            key = by_name.get(header.lower())
            if key is None and header.upper() in self.categories:
                key = "category:" + self.categories[header.upper()]
            label = self.label(position, header)
            if key is None:
                self.error(
                    row,
                    label,
                    _(
                        "unknown column: neither a field of the table nor a provider category (known categories: %(codes)s)"
                    )
                    % {"codes": ", ".join(sorted(self.categories.values()))},
                )
                continue
            if key in seen:
                self.error(
                    row,
                    label,
                    _("the column appears twice (also column %(other)s)") % {"other": seen[key]},
                )
                continue
            seen[key] = label
            if key.startswith("category:"):
                categories[position] = key.split(":", 1)[1]
            else:
                fields[position] = key
        for column in COLUMNS:
            if column.required and column.key not in fields.values():
                self.error(row, column.header, _("this required column is missing"))
        return fields, categories

    def choice(self, kind: str, text: str, row, column):
        value = self.spellings[kind].get(text.strip().lower())
        if value is None:
            self.error(row, column, _("unknown value '%(value)s'") % {"value": text})
        return value

    def variable(
        self,
        row,
        values: dict[str, object],
        headers: dict[str, str],
        requirements: dict[str, tuple[str, str]],
    ):
        """``values``: {key: raw value}; ``headers``: {key: header as written}; ``requirements``:
        {category code: (header, raw value)}. Returns a TableVariable or None."""

        def header(key):
            return headers.get(key, COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else key)

        def text(key) -> str:
            value = values.get(key)
            if value is None:
                return ""
            if not isinstance(value, str):
                if self.json_layout:
                    self.error(row, header(key), _("expected text"))
                    return ""
                value = _plain_text(value)
            return value.strip()

        def text_list(key) -> list[str]:
            value = values.get(key)
            if value is None or value == "":
                return []
            if isinstance(value, list):
                if not all(isinstance(item, str) for item in value):
                    self.error(row, header(key), _("expected a list of texts"))
                    return []
                items = value
            elif isinstance(value, str) and not self.json_layout:
                items = value.split(";")
            else:
                self.error(row, header(key), _("expected a list of texts"))
                return []
            return [item.strip() for item in items if item.strip()]

        before = len(self.errors)
        variable = TableVariable(code=text("code"), name=text("name"))
        for key in TEXT_KEYS:
            setattr(variable, key, text(key))
        for key in ("code", "name"):
            if not getattr(variable, key):
                self.error(row, header(key), _("a value is required"))
        for key in ("data_type", "code_system", "personal_data", "ehr_source"):
            if key in values:
                raw = text(key)
                value = self.choice(key, raw, row, header(key))
                if value is not None:
                    setattr(variable, key, value)
        purposes = []
        for raw in text_list("purposes"):
            value = self.choice("purposes", raw, row, header("purposes"))
            if value is not None and value not in purposes:
                purposes.append(value)
        variable.purposes = purposes
        indicators = []
        for code in text_list("indicators"):
            if code not in indicators:
                indicators.append(code)
        variable.indicators = indicators
        for category, (cell_header, raw) in requirements.items():
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            if not isinstance(raw, str):
                self.error(row, cell_header, _("unknown value '%(value)s'") % {"value": raw})
                continue
            value = self.choice("requirement", raw, row, cell_header)
            if value is not None:
                variable.requirements[category] = value
        # The model's own field rules (code characters, lengths), named by column.
        if len(self.errors) == before:
            instance = Variable(**{name: getattr(variable, name) for name in VARIABLE_FIELDS})
            try:
                instance.clean_fields(exclude=["dataset_version"])
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.error(row, header(name), message)
        for code in variable.indicators:
            try:
                Indicator._meta.get_field("code").run_validators(code)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(row, header("indicators"), f"'{code}': {message}")
        return variable if len(self.errors) == before else None

    def check_duplicates(self, rows: list[tuple[object, str]], code_header: str):
        """``rows``: (row, code) of every row with a code, also rows with other errors."""
        first_row = {}
        for row, code in rows:
            if code in first_row:
                self.error(
                    row,
                    code_header,
                    _("code '%(code)s' also appears in row %(other)s")
                    % {"code": code, "other": first_row[code]},
                )
            else:
                first_row[code] = row

    def indicator(
        self, row, values: dict[str, object], headers: dict[str, str]
    ) -> TableIndicator | None:
        before = len(self.errors)
        data = {}
        for column in INDICATOR_COLUMNS:
            value = values.get(column.key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                if self.json_layout:
                    self.error(row, headers.get(column.key, column.key), _("expected text"))
                    continue
                value = _plain_text(value)
            data[column.key] = value.strip()
        if len(self.errors) > before:
            return None
        if not data["code"]:
            self.error(row, headers.get("code", "code"), _("a value is required"))
            return None
        data["name"] = data["name"] or data["code"]
        instance = Indicator(**data)
        try:
            instance.clean_fields(exclude=["dataset_version", "name"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.error(row, headers.get(name, name), message)
        return TableIndicator(**data) if len(self.errors) == before else None

    def finish(self, table: Table) -> Table:
        if not table.variables and not self.errors:
            self.errors.append(_("The file holds no variables."))
            self.details.append(TableError("", "", "", self.errors[-1]))
        if self.errors:
            raise TableInvalid(self.errors, self.details)
        return table


def _plain_text(value) -> str:
    """Spreadsheet cells can be numbers or dates: 12.0 -> '12'."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows_to_table(
    reader: _Reader,
    rows: list[list[object]],
    indicator_rows: list[list[object]] | None,
    indicator_sheet: str | None = None,
) -> Table:
    """Spreadsheet-like rows (first row = headers; row numbers as a spreadsheet shows them)."""
    table = Table()
    if not rows:
        return reader.finish(table)
    headers = ["" if h is None else _plain_text(h) for h in rows[0]]
    fields, categories = reader.map_headers(headers)
    header_of = {
        key: reader.label(position, headers[position].strip()) for position, key in fields.items()
    }
    category_labels = {
        position: reader.label(position, headers[position].strip()) for position in categories
    }
    parsed, codes = [], []
    if not reader.errors:
        for number, cells in enumerate(rows[1:], start=2):
            cells = [unescape_cell(c) if isinstance(c, str) else c for c in cells]
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            values = {key: cells[pos] if pos < len(cells) else None for pos, key in fields.items()}
            requirements = {
                code: (category_labels[pos], cells[pos] if pos < len(cells) else None)
                for pos, code in categories.items()
            }
            variable = reader.variable(number, values, header_of, requirements)
            if variable is not None:
                parsed.append((number, variable))
            code = values.get("code")
            if code is not None and _plain_text(code).strip():
                codes.append((number, _plain_text(code).strip()))
        reader.check_duplicates(codes, header_of.get("code", "Code"))
    table.variables = [v for _row, v in parsed]
    if indicator_rows:
        if indicator_sheet is not None:
            reader.sheet = indicator_sheet
        table.indicators = _indicator_rows(reader, indicator_rows)
    return reader.finish(table)


def _indicator_rows(reader: _Reader, rows: list[list[object]]) -> list[TableIndicator]:
    """The indicator sheet of a workbook (``reader.sheet`` names it in errors)."""
    headers = ["" if h is None else _plain_text(h).strip() for h in rows[0]]
    by_name = {}
    for column in INDICATOR_COLUMNS:
        for name in (column.header, *column.aliases, column.key):
            by_name[name.lower()] = column.key
    positions, header_of = {}, {}
    for position, header in enumerate(headers):
        if not header:
            continue
        key = by_name.get(header.lower())
        label = reader.label(position, header)
        if key is None:
            reader.error(1, label, _("unknown column"))
            continue
        if key in header_of:
            reader.error(
                1,
                label,
                _("the column appears twice (also column %(other)s)") % {"other": header_of[key]},
            )
            continue
        positions[position] = key
        header_of[key] = label
    if "code" not in positions.values():
        reader.error(1, "Code", _("this required column is missing"))
        return []
    result, seen = [], {}
    for number, cells in enumerate(rows[1:], start=2):
        cells = [unescape_cell(c) if isinstance(c, str) else c for c in cells]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        values = {key: cells[pos] if pos < len(cells) else None for pos, key in positions.items()}
        indicator = reader.indicator(number, values, header_of)
        if indicator is None:
            continue
        if indicator.code in seen:
            reader.error(
                number,
                header_of["code"],
                _("code '%(code)s' also appears in row %(other)s")
                % {"code": indicator.code, "other": seen[indicator.code]},
            )
            continue
        seen[indicator.code] = number
        result.append(indicator)
    return result


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in Windows-1252 unless told otherwise.
        return content.decode("cp1252", errors="replace")


def read_csv(content: bytes) -> Table:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Dutch Excel writes ';'-separated CSV; take whichever separator the header uses most.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return _rows_to_table(_Reader(), rows, None)


def read_xlsx(content: bytes) -> Table:
    """A workbook: the sheet Verantwoordingstabel (else the first visible sheet) and optionally
    the sheet Indicatoren. Hidden sheets are ignored, except that a hidden Verantwoordingstabel
    or Indicatoren is an error (hidden data must not be imported unseen). Formulas and merged
    cells are errors: the exchange holds values, one per cell. Blank rows are skipped."""
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell shows as a formula (data_type "f"), not as the value
        # a spreadsheet last cached for it, which may be stale or missing.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableInvalid(
            [_("The file is not a readable Excel workbook (%(error)s).") % {"error": exc}]
        ) from exc
    try:
        table_sheet, indicator_sheet = _xlsx_sheets(workbook)
        reader = _Reader(sheet=table_sheet.title)
        rows = _xlsx_rows(reader, table_sheet)
        indicator_rows = None
        if indicator_sheet is not None:
            reader.sheet = indicator_sheet.title
            indicator_rows = _xlsx_rows(reader, indicator_sheet) or None
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for sheet, sheet_rows in ((table_sheet, rows), (indicator_sheet, indicator_rows)):
                if sheet is not None:
                    reader.sheet = sheet.title
                    _xlsx_merges(reader, archive, sheet, sheet_rows or [])
    finally:
        workbook.close()
    if reader.errors:  # formulas and merges: the cells cannot be read as values at all
        raise TableInvalid(reader.errors, reader.details)
    reader.sheet = table_sheet.title
    return _rows_to_table(
        reader, rows, indicator_rows, indicator_sheet.title if indicator_sheet else None
    )


def _xlsx_sheets(workbook):
    """(table sheet, indicator sheet or None); raises TableInvalid for a hidden one."""
    by_name = {ws.title.strip().casefold(): ws for ws in workbook.worksheets}
    errors, details = [], []
    for name in (TABLE_SHEET, INDICATOR_SHEET):
        sheet = by_name.get(name.casefold())
        if sheet is not None and sheet.sheet_state != "visible":
            errors.append(
                _(
                    "sheet %(sheet)s: the sheet is hidden; make it visible or remove it (hidden sheets are not imported)"
                )
                % {"sheet": sheet.title}
            )
            details.append(
                TableError(
                    sheet.title,
                    "",
                    "",
                    _(
                        "the sheet is hidden; make it visible or remove it (hidden sheets are not imported)"
                    ),
                )
            )
    if errors:
        raise TableInvalid(errors, details)
    indicator_sheet = by_name.get(INDICATOR_SHEET.casefold())
    table_sheet = by_name.get(TABLE_SHEET.casefold())
    if table_sheet is None:
        visible = [
            ws
            for ws in workbook.worksheets
            if ws.sheet_state == "visible" and ws is not indicator_sheet
        ]
        if not visible:
            raise TableInvalid(
                [
                    _("The workbook has no visible sheet %(sheet)s (nor another visible sheet).")
                    % {"sheet": TABLE_SHEET}
                ]
            )
        table_sheet = visible[0]
    return table_sheet, indicator_sheet


def _xlsx_rows(reader: _Reader, sheet) -> list[list[object]]:
    """The sheet's values row by row (row 1 first, missing rows as empty ones); a formula is an
    error naming its cell."""
    # The <dimension> a producer writes can be wrong; without it openpyxl reads every row.
    sheet.reset_dimensions()
    rows: list[list[object]] = []
    headers: list[object] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = [cell.value for cell in cells]
        if number == 1:
            headers = values
        for position, cell in enumerate(cells):
            if cell.data_type == "f":
                header = headers[position] if position < len(headers) else None
                if number == 1 or header is None:
                    header = ""
                reader.error(
                    number,
                    reader.label(position, _plain_text(header).strip()),
                    _("formulas are not accepted; enter the value itself"),
                )
                values[position] = None
        rows.append(values)
    return rows


MERGE_CELL = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref="([^"]+)"')


def _xlsx_merges(reader: _Reader, archive: zipfile.ZipFile, sheet, rows: list[list[object]]):
    """Merged cells are an error naming the range. openpyxl's read-only mode does not expose
    them, so the sheet's XML is scanned for <mergeCell ref="..."> in chunks."""
    from openpyxl.utils import range_boundaries

    found: dict[str, None] = {}
    tail = b""
    # The worksheet's part in the package, as openpyxl resolved it from the workbook's rels.
    with archive.open(sheet._worksheet_path) as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            if b"mergeCell" in data:
                for match in MERGE_CELL.finditer(data):
                    found[match.group(1).decode("ascii", "replace")] = None
            tail = data[-256:]
    headers = rows[0] if rows else []
    for ref in found:
        try:
            min_col, min_row, _max_col, _max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            min_col, min_row = 1, "-"
        header = headers[min_col - 1] if min_col - 1 < len(headers) else None
        reader.error(
            min_row,
            reader.label(min_col - 1, "" if header is None else _plain_text(header).strip()),
            _("merged cells are not accepted (%(range)s); unmerge them and fill in every cell")
            % {"range": ref},
        )


JSON_VARIABLE_KEYS = {c.key for c in COLUMNS} | {"requirements"}


def read_json(content: bytes) -> Table:
    reader = _Reader(json_layout=True)
    try:
        data = json.loads(_decode(content))
    except json.JSONDecodeError as exc:
        raise TableInvalid(
            [
                _("The file is not valid JSON (line %(line)s: %(error)s).")
                % {"line": exc.lineno, "error": exc.msg}
            ]
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("variables"), list):
        raise TableInvalid([_('The JSON file must be an object with a list "variables".')])
    for key in set(data) - {"variables", "indicators", "pseudonym_requests"}:
        reader.error("-", key, _("unknown field"))
    table = Table()
    parsed, codes = [], []
    for number, item in enumerate(data["variables"], start=1):
        if not isinstance(item, dict):
            reader.error(number, "variables", _("expected an object"))
            continue
        for key in set(item) - JSON_VARIABLE_KEYS:
            reader.error(number, key, _("unknown field"))
        cells = item.get("requirements") or {}
        if not isinstance(cells, dict):
            reader.error(
                number, "requirements", _("expected an object {provider category: base or plus}")
            )
            cells = {}
        requirements = {}
        for code, value in cells.items():
            known = reader.categories.get(str(code).upper())
            if known is None:
                reader.error(number, f"requirements.{code}", _("unknown provider category"))
                continue
            requirements[known] = (f"requirements.{code}", value)
        values = {k: v for k, v in item.items() if k in COLUMN_BY_KEY}
        headers = {k: k for k in COLUMN_BY_KEY}
        variable = reader.variable(number, values, headers, requirements)
        if variable is not None:
            parsed.append((number, variable))
        if isinstance(item.get("code"), str) and item["code"].strip():
            codes.append((number, item["code"].strip()))
    reader.check_duplicates(codes, "code")
    table.variables = [v for _row, v in parsed]
    indicators = data.get("indicators") or []
    if not isinstance(indicators, list):
        reader.error("-", "indicators", _("expected a list"))
        indicators = []
    seen = {}
    for number, item in enumerate(indicators, start=1):
        if not isinstance(item, dict):
            reader.error(number, "indicators", _("expected an object"))
            continue
        for key in set(item) - {c.key for c in INDICATOR_COLUMNS}:
            reader.error(number, f"indicators.{key}", _("unknown field"))
        indicator = reader.indicator(
            number, item, {c.key: f"indicators.{c.key}" for c in INDICATOR_COLUMNS}
        )
        if indicator is None:
            continue
        if indicator.code in seen:
            reader.error(
                number,
                "indicators.code",
                _("code '%(code)s' also appears in row %(other)s")
                % {"code": indicator.code, "other": seen[indicator.code]},
            )
            continue
        seen[indicator.code] = number
        table.indicators.append(indicator)
    if "pseudonym_requests" in data:
        table.pseudonym_requests = []
        items = data["pseudonym_requests"]
        if not isinstance(items, list):
            reader.error("-", "pseudonym_requests", _("expected a list"))
            items = []
        types = set()
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                reader.error(number, "pseudonym_requests.type", _("a value is required"))
                continue
            if item["type"] not in PseudonymType.values:
                reader.error(
                    number,
                    "pseudonym_requests.type",
                    _("unknown value '%(value)s'") % {"value": item["type"]},
                )
                continue
            if item["type"] in types:
                reader.error(number, "pseudonym_requests.type", _("this type appears twice"))
                continue
            types.add(item["type"])
            table.pseudonym_requests.append(
                TablePseudonym(
                    type=item["type"], justification=str(item.get("justification") or "")
                )
            )
    return reader.finish(table)


def read_table(content: bytes, *, format: str) -> Table:
    """Parse and validate a file; raises TableInvalid listing every error."""
    readers = {"csv": read_csv, "json": read_json, "xlsx": read_xlsx}
    if format not in readers:
        raise TableInvalid(
            [_("Unknown file format '%(format)s': use .csv, .json or .xlsx.") % {"format": format}]
        )
    return readers[format](content)


def read_table_file(path: str | Path) -> Table:
    path = Path(path)
    return read_table(path.read_bytes(), format=path.suffix.lower().lstrip("."))


# --- Writing into the database --------------------------------------------------------------


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT ``rows`` (plain ids and texts, in the order of ``columns``) in one executemany.

    For the requirement cells (up to 45,000 for 5,000 variables × 9 categories) and the
    indicator links: ``bulk_create`` builds a model instance per row and prepares each of its
    values one by one, which costs several times the insert itself. ``columns`` must name
    every column but the primary key, so that a field added to the model later fails here
    loudly instead of being left out. Inside the caller's transaction, like ``bulk_create``.
    """
    meta = model._meta
    expected = {f.name for f in meta.concrete_fields if not f.primary_key}
    if set(columns) != expected or len(columns) != len(expected):
        raise ValueError(f"{model.__name__}: give the columns {sorted(expected)}")
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(name).column) for name in columns)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def table_write(*, dataset_version: DatasetVersion, table: Table) -> None:
    """Bulk-write ``table`` into an empty draft version: a handful of queries, whatever its size.

    The caller holds the transaction and has checked the permission. The variables go through
    ``bulk_create`` (their ids come back); their cells and indicator links, plain ids, through
    ``_insert_rows``.
    """
    categories = dict(ProviderCategory.objects.values_list("code", "pk"))
    version_id = dataset_version.pk
    variables = Variable.objects.bulk_create(
        [
            Variable(
                dataset_version_id=version_id,
                **{name: getattr(tv, name) for name in VARIABLE_FIELDS},
            )
            for tv in table.variables
        ],
        batch_size=500,
    )
    if not variables or variables[0].pk is None:  # databases that return no ids
        variables = list(dataset_version.variables.all())
    id_by_code = {v.code: v.pk for v in variables}
    _insert_rows(
        Requirement,
        ("variable", "provider_category", "set"),
        [
            (id_by_code[tv.code], categories[code], value)
            for tv in table.variables
            for code, value in tv.requirements.items()
        ],
    )
    defined = {i.code: i for i in table.indicators}
    used = [code for tv in table.variables for code in tv.indicators]
    missing = [code for code in dict.fromkeys(used) if code not in defined]
    if missing:
        # CSV has no place for indicator definitions: reuse the registry's latest one, else the code.
        previous = {}
        for indicator in Indicator.objects.filter(
            dataset_version__registry_id=dataset_version.registry_id, code__in=missing
        ).order_by("dataset_version__number"):
            previous[indicator.code] = indicator
        for code in missing:
            old = previous.get(code)
            defined[code] = TableIndicator(
                code=code,
                name=old.name if old else code,
                kind=old.kind if old else "",
                description=old.description if old else "",
            )
    indicators = Indicator.objects.bulk_create(
        [Indicator(dataset_version=dataset_version, **asdict(i)) for i in defined.values()]
    )
    if indicators and indicators[0].pk is None:
        indicators = list(dataset_version.indicators.all())
    indicator_ids = {i.code: i.pk for i in indicators}
    _insert_rows(
        Indicator.variables.through,
        ("indicator", "variable"),
        [
            (indicator_ids[code], id_by_code[tv.code])
            for tv in table.variables
            for code in tv.indicators
        ],
    )


def accountability_table_import(
    *, registry: Registry, actor, table: Table, source: str = "", system: bool = False
) -> DatasetVersion:
    """A new draft version holding exactly ``table``; all or nothing.

    The version is not a copy of the previous one. Pseudonym requests are not part of the
    CSV/XLSX layout: for those formats they carry over from the newest version; a JSON file
    with ``pseudonym_requests`` replaces them (Wkz: type B only where the BSN is allowed).
    Permission: the actor must manage the registry's dossier (checked by
    ``dataset_version_create``), unless ``system`` (an operator's management command).
    """
    from .services import dataset_version_create

    if table.pseudonym_requests is not None and not registry.bsn_allowed:
        if any(p.type == PseudonymType.B for p in table.pseudonym_requests):
            raise PseudonymNotAllowed(
                _(
                    "Only registries allowed to process the BSN (LADIS, LNAZ) may request pseudonym type B."
                ),
                field="pseudonym_requests",
            )
    if not table.variables:
        raise TableInvalid([_("The file holds no variables.")])
    with transaction.atomic():
        previous = registry.dataset_versions.order_by("-number").first()
        version = dataset_version_create(
            registry=registry, actor=actor, copy_previous=False, system=system
        )
        table_write(dataset_version=version, table=table)
        if table.pseudonym_requests is None:
            pseudonyms = [
                PseudonymRequest(
                    dataset_version=version, type=p.type, justification=p.justification
                )
                for p in (previous.pseudonym_requests.all() if previous else [])
            ]
        else:
            pseudonyms = [
                PseudonymRequest(
                    dataset_version=version, type=p.type, justification=p.justification
                )
                for p in table.pseudonym_requests
            ]
        PseudonymRequest.objects.bulk_create(pseudonyms)
        audit_record(
            actor=actor,
            action="accountability_table.import",
            obj=version,
            registry=registry,
            changes={
                "source": source,
                "variables": len(table.variables),
                "indicators": version.indicators.count(),
                "pseudonym_requests": [p.type for p in pseudonyms],
            },
        )
    return version


# --- Writing files --------------------------------------------------------------------------


def table_from_version(dataset_version: DatasetVersion) -> Table:
    """The stored table as a Table, in a fixed number of queries.

    The rows are read as plain values, not as model instances (a 5,000-variable table has up
    to 45,000 requirement cells); each variable's cells in the order they were stored.
    """
    cells: dict[int, dict[str, str]] = {}
    for variable_id, category, value in (
        Requirement.objects.filter(variable__dataset_version=dataset_version)
        .order_by("pk")
        .values_list("variable_id", "provider_category__code", "set")
    ):
        cells.setdefault(variable_id, {})[category] = value
    indicator_codes: dict[int, list[str]] = {}
    for variable_id, code in Indicator.variables.through.objects.filter(
        variable__dataset_version=dataset_version
    ).values_list("variable_id", "indicator__code"):
        indicator_codes.setdefault(variable_id, []).append(code)
    variables = []
    for pk, *values in dataset_version.variables.order_by("code").values_list(
        "pk", *VARIABLE_FIELDS
    ):
        variable = TableVariable(**dict(zip(VARIABLE_FIELDS, values, strict=True)))
        variable.purposes = list(variable.purposes or [])
        variable.indicators = sorted(indicator_codes.get(pk, []))
        variable.requirements = cells.get(pk, {})
        variables.append(variable)
    return Table(
        variables=variables,
        indicators=[
            TableIndicator(code=i.code, name=i.name, kind=i.kind, description=i.description)
            for i in dataset_version.indicators.order_by("code")
        ],
        pseudonym_requests=[
            TablePseudonym(type=p.type, justification=p.justification)
            for p in dataset_version.pseudonym_requests.order_by("type")
        ],
    )


def table_rows(table: Table, categories: list[str]) -> list[list[str]]:
    """The spreadsheet layout: a header row, then one row per variable (cells not yet escaped)."""
    rows = [[c.header for c in COLUMNS] + categories]
    for v in table.variables:
        row = []
        for column in COLUMNS:
            value = getattr(v, column.key)
            if column.key == "purposes":
                value = ";".join(written_value("purposes", p) for p in value)
            elif column.key == "indicators":
                value = ";".join(value)
            elif column.key in CHOICE_VALUES:
                value = written_value(column.key, value)
            row.append(value)
        row += [
            written_value("requirement", v.requirements[c]) if c in v.requirements else ""
            for c in categories
        ]
        rows.append(row)
    return rows


def table_export(dataset_version: DatasetVersion, *, format: str) -> bytes:
    """The version's table as a file (bytes): CSV (UTF-8, comma), JSON or XLSX."""
    if format not in FORMATS:
        raise DomainError(
            _("Unknown file format '%(format)s': use csv, json or xlsx.") % {"format": format}
        )
    table = table_from_version(dataset_version)
    categories = list(ProviderCategory.objects.values_list("code", flat=True))
    return table_bytes(table, format=format, categories=categories)


def table_bytes(table: Table, *, format: str, categories: list[str]) -> bytes:
    """``table`` as a file; ``categories``: the provider category columns, in order."""
    if format == "json":
        return (json.dumps(table.as_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    rows = [[escape_cell(cell) for cell in row] for row in table_rows(table, categories)]
    if format == "csv":
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("utf-8")
    return _xlsx(rows, table)


def _xlsx(rows: list[list[str]], table: Table) -> bytes:
    """The workbook, written streaming (write_only). Every non-empty cell is forced to text, so
    openpyxl never writes a formula or an error value whatever the text (``escape_cell`` has
    already guarded spreadsheets that would run text starting with ``=`` on editing); empty
    cells are left out, and read back as empty.

    Only a text openpyxl would not store as text by itself (an error code such as ``#N/A``, or
    ``=`` followed by more) gets a cell of its own with the type forced: building a cell for
    every value costs more than the rest of the writing."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def text_row(sheet, values, font=None):
        row = []
        for value in values:
            if value is None or value == "":
                row.append(None)
                continue
            if (
                font is None
                and type(value) is str
                and not (len(value) > 1 and value.startswith("="))
                and value not in ERROR_CODES
            ):
                row.append(value)  # openpyxl types it as text ("s") itself
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            if font is not None:
                cell.font = font
            row.append(cell)
        return row

    sheet = workbook.create_sheet(TABLE_SHEET)
    sheet.freeze_panes = "C2"
    sheet.append(text_row(sheet, rows[0], bold))
    for row in rows[1:]:
        sheet.append(text_row(sheet, row))
    indicators = workbook.create_sheet(INDICATOR_SHEET)
    indicators.freeze_panes = "A2"
    indicators.append(text_row(indicators, [c.header for c in INDICATOR_COLUMNS], bold))
    for indicator in table.indicators:
        indicators.append(
            text_row(
                indicators, [escape_cell(getattr(indicator, c.key)) for c in INDICATOR_COLUMNS]
            )
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
