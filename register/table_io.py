"""Exchange of the accountability table (verantwoordingstabel) as CSV, XLSX or JSON.

The layout is documented in docs/accountability-table.md. Reading a file gives a ``Table``
(validated: every error names its row and column); ``accountability_table_import`` turns a
``Table`` into a new draft dataset version of the registry holding exactly that table, in one
transaction. Writing goes the other way: ``table_from_version`` and ``table_export``.

Spreadsheet safety: a cell that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading single quote, and
the quote is removed again on import, so export → import gives the same table.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
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


class TableInvalid(DomainError):
    """The file cannot be imported; ``errors`` lists every problem, each naming row and column."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _cell_error(row, column: str, message: str) -> str:
    return _("row %(row)s, column %(column)s: %(message)s") % {
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

    def __init__(self, *, json_layout: bool = False):
        self.errors: list[str] = []
        self.json_layout = json_layout
        self.categories = {c.code.upper(): c.code for c in ProviderCategory.objects.all()}
        self.spellings = {kind: _spellings(kind) for kind in CHOICE_VALUES}

    def error(self, row, column, message):
        self.errors.append(_cell_error(row, column, message))

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
            if key is None:
                self.error(
                    row,
                    header,
                    _(
                        "unknown column: neither a field of the table nor a provider category (known categories: %(codes)s)"
                    )
                    % {"codes": ", ".join(sorted(self.categories.values()))},
                )
                continue
            if key in seen:
                self.error(
                    row,
                    header,
                    _("the column appears twice (also column %(other)s)") % {"other": seen[key]},
                )
                continue
            seen[key] = header
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
            instance = Variable(
                **{
                    k: v
                    for k, v in asdict(variable).items()
                    if k not in ("indicators", "requirements")
                }
            )
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
        if self.errors:
            raise TableInvalid(self.errors)
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
    reader: _Reader, rows: list[list[object]], indicator_rows: list[list[object]] | None
) -> Table:
    """Spreadsheet-like rows (first row = headers; row numbers as a spreadsheet shows them)."""
    table = Table()
    if not rows:
        return reader.finish(table)
    headers = ["" if h is None else _plain_text(h) for h in rows[0]]
    fields, categories = reader.map_headers(headers)
    header_of = {key: headers[position].strip() for position, key in fields.items()}
    parsed, codes = [], []
    if not reader.errors:
        for number, cells in enumerate(rows[1:], start=2):
            cells = [unescape_cell(c) if isinstance(c, str) else c for c in cells]
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            values = {key: cells[pos] if pos < len(cells) else None for pos, key in fields.items()}
            requirements = {
                code: (headers[pos].strip(), cells[pos] if pos < len(cells) else None)
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
        table.indicators = _indicator_rows(reader, indicator_rows)
    return reader.finish(table)


def _indicator_rows(reader: _Reader, rows: list[list[object]]) -> list[TableIndicator]:
    headers = ["" if h is None else _plain_text(h).strip() for h in rows[0]]
    by_name = {}
    for column in INDICATOR_COLUMNS:
        for name in (column.header, *column.aliases, column.key):
            by_name[name.lower()] = column.key
    positions, header_of = {}, {}
    sheet = INDICATOR_SHEET
    for position, header in enumerate(headers):
        if not header:
            continue
        key = by_name.get(header.lower())
        if key is None:
            reader.error(1, f"{header} ({sheet})", _("unknown column"))
            continue
        positions[position] = key
        header_of[key] = f"{header} ({sheet})"
    if "code" not in positions.values():
        reader.error(1, f"Code ({sheet})", _("this required column is missing"))
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
    from openpyxl import load_workbook

    reader = _Reader()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableInvalid(
            [_("The file is not a readable Excel workbook (%(error)s).") % {"error": exc}]
        ) from exc
    try:
        sheet = (
            workbook[TABLE_SHEET] if TABLE_SHEET in workbook.sheetnames else workbook.worksheets[0]
        )
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        indicator_rows = None
        if INDICATOR_SHEET in workbook.sheetnames:
            indicator_rows = [
                list(r) for r in workbook[INDICATOR_SHEET].iter_rows(values_only=True)
            ] or None
    finally:
        workbook.close()
    return _rows_to_table(reader, rows, indicator_rows)


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


def table_write(*, dataset_version: DatasetVersion, table: Table) -> None:
    """Bulk-write ``table`` into an empty draft version: a handful of queries, whatever its size.

    The caller holds the transaction and has checked the permission.
    """
    categories = {c.code: c.pk for c in ProviderCategory.objects.all()}
    variables = Variable.objects.bulk_create(
        [
            Variable(
                dataset_version=dataset_version,
                **{k: v for k, v in asdict(tv).items() if k not in ("indicators", "requirements")},
            )
            for tv in table.variables
        ],
        batch_size=500,
    )
    if not variables or variables[0].pk is None:  # databases that return no ids
        variables = list(dataset_version.variables.all())
    id_by_code = {v.code: v.pk for v in variables}
    Requirement.objects.bulk_create(
        [
            Requirement(
                variable_id=id_by_code[tv.code], provider_category_id=categories[code], set=value
            )
            for tv in table.variables
            for code, value in tv.requirements.items()
        ],
        batch_size=1000,
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
    Through = Indicator.variables.through
    Through.objects.bulk_create(
        [
            Through(indicator_id=indicator_ids[code], variable_id=id_by_code[tv.code])
            for tv in table.variables
            for code in tv.indicators
        ],
        batch_size=1000,
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
    """The stored table as a Table, in a fixed number of queries."""
    variables = list(
        dataset_version.variables.prefetch_related(
            "requirements__provider_category", "indicators"
        ).order_by("code")
    )
    return Table(
        variables=[
            TableVariable(
                code=v.code,
                name=v.name,
                description=v.description,
                data_type=v.data_type,
                unit=v.unit,
                code_system=v.code_system,
                code_system_code=v.code_system_code,
                purposes=list(v.purposes or []),
                indicators=sorted(i.code for i in v.indicators.all()),
                personal_data=v.personal_data,
                generalisation=v.generalisation,
                necessity=v.necessity,
                proportionality=v.proportionality,
                subsidiarity=v.subsidiarity,
                ehr_source=v.ehr_source,
                requirements={r.provider_category.code: r.set for r in v.requirements.all()},
            )
            for v in variables
        ],
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
    if format == "json":
        return (json.dumps(table.as_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    categories = list(ProviderCategory.objects.values_list("code", flat=True))
    rows = [[escape_cell(cell) for cell in row] for row in table_rows(table, categories)]
    if format == "csv":
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("utf-8")
    return _xlsx(rows, table)


def _xlsx(rows: list[list[str]], table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TABLE_SHEET
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    indicators = workbook.create_sheet(INDICATOR_SHEET)
    indicators.append([c.header for c in INDICATOR_COLUMNS])
    for indicator in table.indicators:
        indicators.append([escape_cell(getattr(indicator, c.key)) for c in INDICATOR_COLUMNS])
    for cell in indicators[1]:
        cell.font = Font(bold=True)
    # Every cell is text, so openpyxl never writes a formula (escape_cell guards Excel itself).
    for worksheet in (sheet, indicators):
        for row in worksheet.iter_rows():
            for cell in row:
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
