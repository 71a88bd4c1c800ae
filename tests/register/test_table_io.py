"""Import and export of the accountability table (DESIGN.md: import/export commands)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from register import table_io
from register.constants import DatasetStatus
from register.models import AuditEntry, DatasetVersion, Indicator, Variable
from register.services import (
    dataset_version_create,
    indicator_save,
    pseudonym_request_add,
    variable_save,
)
from register.table_io import TableInvalid, read_table, table_from_version

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TRICKY = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def table_version(registry, registry_user):
    """A version with every kind of value, including text a spreadsheet would run."""
    version = dataset_version_create(registry=registry, actor=registry_user)
    rows = [
        (
            {
                "code": "GEBJAAR",
                "name": "Geboortejaar",
                "data_type": "number",
                "code_system": "zib",
                "code_system_code": "Patient.Geboortedatum",
                "purposes": ["learn_improve", "case_mix"],
                "personal_data": "quasi",
                "generalisation": "geboortejaar",
                "necessity": 'Nodig; voor casemix, "echt".',
                "proportionality": "Regel 1\nRegel 2",
                "subsidiarity": "Geen alternatief.",
                "ehr_source": "yes",
            },
            {"UMC": "base", "AZ": "base", "STZ": "plus"},
        ),
        (
            {
                "code": "ASA",
                "name": "ASA-classificatie",
                "data_type": "code",
                "code_system": "snomed",
                "code_system_code": "302132005",
                "purposes": ["case_mix"],
                "ehr_source": "partly",
                "description": TRICKY,
            },
            {"UMC": "base"},
        ),
        (
            {
                "code": "EQ5D_VAS",
                "name": "-5 of +5? @EQ VAS",
                "data_type": "number",
                "unit": "punten",
                "purposes": ["instrument", "shared_decision"],
                "ehr_source": "no",
                "description": "'quoted",
            },
            {"UMC": "plus", "STZ": "plus"},
        ),
        (
            {
                "code": "MORT30",
                "name": "Mortaliteit 30 dagen",
                "data_type": "boolean",
                "purposes": ["indicator"],
            },
            {},
        ),
    ]
    for data, requirements in rows:
        variable_save(
            dataset_version=version, actor=registry_user, data=data, requirements=requirements
        )
    indicator_save(
        dataset_version=version,
        actor=registry_user,
        code="DHFA-2",
        name="Mortaliteit 30 dagen",
        kind="uitkomst",
        description="Sterfte",
        variable_codes=["MORT30", "ASA"],
    )
    pseudonym_request_add(
        dataset_version=version, actor=registry_user, type="NGGV", justification="Koppeling."
    )
    return version


def export(acronym, *args):
    out = io.StringIO()
    call_command("export_accountability_table", acronym, *args, stdout=out)
    return out.getvalue()


def import_file(path, acronym="dhfa", user="registry@example.org"):
    call_command(
        "import_accountability_table", acronym, str(path), "--user", user, stdout=io.StringIO()
    )
    return DatasetVersion.objects.filter(registry__acronym=acronym).order_by("-number").first()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_gives_the_same_table(table_version, tmp_path, fmt, registry_user):
    path = tmp_path / f"tabel.{fmt}"
    path.write_text(export("DHFA", "--format", fmt), encoding="utf-8")
    new = import_file(path)
    assert new.number == table_version.number + 1
    assert new.status == DatasetStatus.DRAFT and new.based_on is None
    assert table_from_version(new) == table_from_version(table_version)


def test_xlsx_round_trip(table_version, tmp_path):
    path = tmp_path / "tabel.xlsx"
    call_command("export_accountability_table", "dhfa", "--format", "xlsx", "--output", str(path))
    new = import_file(path)
    assert table_from_version(new) == table_from_version(table_version)


def test_import_holds_exactly_the_file_and_is_audited(table_version, tmp_path, registry_user):
    path = tmp_path / "t.csv"
    path.write_text(
        "Code;Variabele;Datatype;Doelen;UMC\nNIEUW;Nieuwe variabele;getal;leren en verbeteren;basis\n",
        encoding="utf-8",
    )
    new = import_file(path)
    assert list(new.variables.values_list("code", flat=True)) == ["NIEUW"]
    assert new.variables.get().requirements.get().set == "base"
    entry = AuditEntry.objects.get(action="accountability_table.import")
    assert (
        entry.actor == registry_user
        and entry.changes["variables"] == 1
        and entry.changes["source"] == "t.csv"
    )
    assert table_version.variables.count() == 4  # the previous version is untouched


def test_english_headers_are_accepted(registry, registry_user):
    content = b"code,variable,data type,purposes,personal data,ehr source,umc\nX1,Iets,number,indicator;case_mix,none,partly,plus\n"
    table = read_table(content, format="csv")
    variable = table.variables[0]
    assert (variable.data_type, variable.purposes, variable.ehr_source) == (
        "number",
        ["indicator", "case_mix"],
        "partly",
    )
    assert variable.requirements == {"UMC": "plus"}


BAD_CSV = (
    "Code;Variabele;Datatype;Doelen;Persoonsgegeven;Bron EPD;UMC;XYZ\n"
    "A1;Eerste;getal;leren en verbeteren;geen;ja;basis;\n"
    "A2;Tweede;getallen;leren en verbeteren;geen;ja;basis;\n"
    "A3;;tekst;;geen;ja;;\n"
    "A1;Dubbel;tekst;;geen;ja;;\n"
    "A5;Vijf;tekst;verbeteren;soms;misschien;altijd;\n"
    "A 6;Zes;tekst;;geen;ja;;\n"
)


def test_every_error_names_row_and_column(registry):
    with pytest.raises(TableInvalid) as error:
        read_table(BAD_CSV.encode(), format="csv")
    # The unknown category column is reported first, and stops reading the rows.
    assert error.value.errors == [error.value.errors[0]]
    assert "row 1, column XYZ" in error.value.errors[0]

    with pytest.raises(TableInvalid) as error:
        read_table(BAD_CSV.replace(";XYZ", "").replace(";\n", "\n").encode(), format="csv")
    errors = error.value.errors
    expected = [
        ("row 3, column Datatype", "getallen"),
        ("row 4, column Variabele", "required"),
        ("row 5, column Code", "row 2"),
        ("row 6, column Doelen", "verbeteren"),
        ("row 6, column Persoonsgegeven", "soms"),
        ("row 6, column Bron EPD", "misschien"),
        ("row 6, column UMC", "altijd"),
        ("row 7, column Code", ""),
    ]
    for prefix, detail in expected:
        assert any(e.startswith(prefix) and detail in e for e in errors), (prefix, errors)
    assert len(errors) == len(expected)


def test_missing_required_column_is_an_error(registry):
    with pytest.raises(TableInvalid) as error:
        read_table(b"Code,Omschrijving\nA,b\n", format="csv")
    assert error.value.errors == ["row 1, column Variabele: this required column is missing"]


def test_json_errors_name_position_and_key(registry):
    data = {
        "variables": [
            {"code": "A", "name": "A", "data_type": "getal", "requirements": {"UMC": "base"}},
            {
                "code": "B",
                "name": "B",
                "data_type": "numbers",
                "colour": "red",
                "requirements": {"NOPE": "base", "AZ": "maybe"},
            },
            {"code": "A", "name": "Again"},
        ]
    }
    with pytest.raises(TableInvalid) as error:
        read_table(json.dumps(data).encode(), format="json")
    errors = error.value.errors
    for prefix in (
        "row 2, column data_type",
        "row 2, column colour",
        "row 2, column requirements.NOPE",
        "row 2, column requirements.AZ",
        "row 3, column code",
    ):
        assert any(e.startswith(prefix) for e in errors), (prefix, errors)


def test_bad_file_writes_nothing(table_version, tmp_path, capsys):
    versions, variables, audit = (
        DatasetVersion.objects.count(),
        Variable.objects.count(),
        AuditEntry.objects.count(),
    )
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_accountability_table",
            "dhfa",
            str(path),
            "--user",
            "registry@example.org",
            stderr=stderr,
        )
    assert "row 1, column XYZ" in stderr.getvalue()
    assert (
        DatasetVersion.objects.count(),
        Variable.objects.count(),
        AuditEntry.objects.count(),
    ) == (versions, variables, audit)


def test_failure_while_writing_rolls_back_the_new_version(
    table_version, monkeypatch, registry_user
):
    table = table_from_version(table_version)
    versions = DatasetVersion.objects.count()

    def broken(**kwargs):
        Variable.objects.create(dataset_version=kwargs["dataset_version"], code="HALF", name="Half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(table_io, "table_write", broken)
    with pytest.raises(RuntimeError):
        table_io.accountability_table_import(
            registry=table_version.registry, actor=registry_user, table=table
        )
    assert DatasetVersion.objects.count() == versions
    assert not Variable.objects.filter(code="HALF").exists()


def test_json_pseudonym_b_is_refused_without_bsn_permission(table_version, tmp_path):
    data = json.loads(export("dhfa", "--format", "json"))
    data["pseudonym_requests"] = [{"type": "B", "justification": "BSN"}]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    versions = DatasetVersion.objects.count()
    with pytest.raises(CommandError, match="BSN"):
        import_file(path)
    assert DatasetVersion.objects.count() == versions


def test_unknown_registry(tmp_path, registry_user):
    path = tmp_path / "t.csv"
    path.write_text("Code,Variabele\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unknown registry"):
        call_command(
            "import_accountability_table", "NOPE", str(path), "--user", "registry@example.org"
        )
    with pytest.raises(CommandError, match="unknown registry"):
        call_command("export_accountability_table", "NOPE")


def test_import_needs_the_right_to_manage_the_dossier(registry, other_registry_user, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Code,Variabele\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_accountability_table", "dhfa", str(path), "--user", "registry2@example.org"
        )
    assert not registry.dataset_versions.exists()


def test_formula_like_cells_are_escaped_on_export(table_version, tmp_path):
    csv_text = export("dhfa", "--format", "csv")
    assert "'" + TRICKY.replace('"', '""') in csv_text
    assert "'-5 of +5? @EQ VAS" in csv_text
    assert "''quoted" in csv_text
    assert ",=" not in csv_text and ",-" not in csv_text
    path = tmp_path / "t.xlsx"
    call_command("export_accountability_table", "dhfa", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(path)["Verantwoordingstabel"]
    values = [
        cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)
    ]
    assert values and not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)


def test_export_without_version_takes_the_newest_and_version_selects(
    table_version, registry, registry_user
):
    dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    assert export("dhfa").count("\n") == 1  # the newest version is empty: only the header
    assert "GEBJAAR" in export("dhfa", "--version", str(table_version.number))
    with pytest.raises(CommandError):
        export("dhfa", "--version", "99")


def test_csv_indicator_definitions_come_from_the_previous_version(table_version, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(export("dhfa"), encoding="utf-8")
    new = import_file(path)
    indicator = Indicator.objects.get(dataset_version=new, code="DHFA-2")
    assert (indicator.name, indicator.kind) == ("Mortaliteit 30 dagen", "uitkomst")
    assert sorted(indicator.variables.values_list("code", flat=True)) == ["ASA", "MORT30"]


def test_duplicate_code_is_reported_even_when_the_row_has_other_errors(registry):
    with pytest.raises(TableInvalid) as error:
        read_table(b"Code,Variabele,Datatype\nA1,X,tekst\nA1,,getallen\n", format="csv")
    assert sorted(error.value.errors) == [
        "row 3, column Code: code 'A1' also appears in row 2",
        "row 3, column Datatype: unknown value 'getallen'",
        "row 3, column Variabele: a value is required",
    ]


def test_operator_import_without_user_acts_as_the_system(table_version, tmp_path):
    path = tmp_path / "tabel.csv"
    path.write_text(export("DHFA", "--format", "csv"), encoding="utf-8")
    call_command("import_accountability_table", "dhfa", str(path), stdout=io.StringIO())
    new = DatasetVersion.objects.filter(registry__acronym="dhfa").order_by("-number").first()
    assert new.number == table_version.number + 1
    entry = AuditEntry.objects.get(action="accountability_table.import", object_id=str(new.pk))
    assert entry.actor is None


# --- XLSX -----------------------------------------------------------------------------------


def workbook_bytes(sheets, *, hidden=(), merges=None, text=None):
    """A workbook made the way a spreadsheet user would: ``sheets`` {title: rows} in order;
    a string starting with "=" becomes a formula unless its coordinate is in ``text`` (then it
    is a text cell, as Excel stores text typed with a leading quote)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for coordinate in (text or {}).get(title, ()):
            sheet[coordinate].data_type = "s"
        if title in hidden:
            sheet.sheet_state = "hidden"
        for ref in (merges or {}).get(title, ()):
            sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = ["Code", "Variabele", "Datatype", "UMC"]


def xlsx_errors(content):
    with pytest.raises(TableInvalid) as error:
        read_table(content, format="xlsx")
    return error.value.errors


def test_xlsx_export_is_streamed_text_without_formulas(table_version):
    import zipfile

    content = table_io.table_export(table_version, format="xlsx")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and 't="inlineStr"' in xml
    assert "'=HYPERLINK(" in xml and "'-5 of +5? @EQ VAS" in xml
    # Read back without the database: the same table (pseudonyms are not in the layout).
    table = read_table(content, format="xlsx")
    expected = table_from_version(table_version)
    expected.pseudonym_requests = None
    assert table == expected


def test_xlsx_formula_is_an_error_naming_sheet_row_and_column(registry):
    content = workbook_bytes(
        {
            "Verantwoordingstabel": [HEADER, ["A1", "Een", '=LOWER("GETAL")', "basis"]],
            "Indicatoren": [["Code", "Naam"], ["I1", "=A1"]],
        }
    )
    assert xlsx_errors(content) == [
        "sheet Verantwoordingstabel, row 2, column Datatype (C): formulas are not accepted; enter the value itself",
        "sheet Indicatoren, row 2, column Naam (B): formulas are not accepted; enter the value itself",
    ]


def test_xlsx_text_that_looks_like_a_formula_is_text(registry):
    content = workbook_bytes(
        {
            "Verantwoordingstabel": [
                ["Code", "Variabele", "Omschrijving", "Code in codestelsel"],
                ["A1", "'=SOM(1)", "=geen formule", 302132005],
            ]
        },
        text={"Verantwoordingstabel": ["C2"]},
    )
    variable = read_table(content, format="xlsx").variables[0]
    assert (variable.name, variable.description, variable.code_system_code) == (
        "=SOM(1)",
        "=geen formule",
        "302132005",
    )


def test_xlsx_merged_cells_are_an_error_naming_the_range(registry):
    content = workbook_bytes(
        {"Verantwoordingstabel": [HEADER, ["A1", "Een", "getal", "basis"], ["A2", "Twee"]]},
        merges={"Verantwoordingstabel": ["C2:C3"]},
    )
    errors = xlsx_errors(content)
    assert errors == [
        "sheet Verantwoordingstabel, row 2, column Datatype (C): merged cells are not accepted (C2:C3); unmerge them and fill in every cell"
    ]


def test_xlsx_hidden_sheets(registry):
    junk = [["Kleur"], ["rood"]]
    good = [HEADER, ["A1", "Een", "getal", "basis"]]
    # A hidden sheet is ignored (here: a list for drop-downs), also when it comes first.
    table = read_table(
        workbook_bytes({"Lijsten": junk, "Verantwoordingstabel": good}, hidden={"Lijsten"}),
        format="xlsx",
    )
    assert [v.code for v in table.variables] == ["A1"]
    # Without a sheet Verantwoordingstabel: the first visible sheet.
    table = read_table(
        workbook_bytes({"Lijsten": junk, "Blad1": good}, hidden={"Lijsten"}), format="xlsx"
    )
    assert [v.code for v in table.variables] == ["A1"]
    # A hidden Verantwoordingstabel (or Indicatoren) is not silently skipped.
    for hidden in ("Verantwoordingstabel", "Indicatoren"):
        content = workbook_bytes(
            {"Blad1": good, "Verantwoordingstabel": good, "Indicatoren": [["Code"], ["I1"]]},
            hidden={hidden},
        )
        assert xlsx_errors(content) == [
            f"sheet {hidden}: the sheet is hidden; make it visible or remove it (hidden sheets are not imported)"
        ]


def test_xlsx_blank_rows_are_skipped_and_rows_keep_their_numbers(registry):
    content = workbook_bytes(
        {
            "Verantwoordingstabel": [
                HEADER,
                ["A1", "Een", "getal", "basis"],
                [None, None, None, None],
                [],
                ["", "  ", None, ""],
                ["A2", "Twee", "getallen", None],
            ]
        }
    )
    assert xlsx_errors(content) == [
        "sheet Verantwoordingstabel, row 6, column Datatype (C): unknown value 'getallen'"
    ]
    content = workbook_bytes(
        {"Verantwoordingstabel": [HEADER, [], ["A1", "Een", "getal", "basis"], [None]]}
    )
    assert [v.code for v in read_table(content, format="xlsx").variables] == ["A1"]


def test_xlsx_unknown_columns_are_errors(registry):
    content = workbook_bytes(
        {
            "Verantwoordingstabel": [HEADER + ["Kleur"], ["A1", "Een", "getal", "basis", "rood"]],
            "Indicatoren": [["Code", "Gewicht"], ["I1", 3]],
        }
    )
    errors = xlsx_errors(content)
    assert len(errors) == 2
    assert errors[0].startswith(
        "sheet Verantwoordingstabel, row 1, column Kleur (E): unknown column: neither a field"
    )
    assert errors[1] == "sheet Indicatoren, row 1, column Gewicht (B): unknown column"


def test_xlsx_duplicate_codes_and_unknown_categories(registry):
    content = workbook_bytes(
        {
            "Verantwoordingstabel": [
                HEADER + ["STZ"],
                ["A1", "Een", "getal", "basis", "plus"],
                ["A1", "Nog een", "tekst", "altijd", None],
            ],
            "Indicatoren": [["Code", "Naam"], ["I1", "Een"], ["I1", "Twee"]],
        }
    )
    assert sorted(xlsx_errors(content)) == [
        "sheet Indicatoren, row 3, column Code (A): code 'I1' also appears in row 2",
        "sheet Verantwoordingstabel, row 3, column Code (A): code 'A1' also appears in row 2",
        "sheet Verantwoordingstabel, row 3, column UMC (D): unknown value 'altijd'",
    ]
    content = workbook_bytes(
        {"Verantwoordingstabel": [HEADER + ["XYZ"], ["A1", "Een", "getal", "basis", "plus"]]}
    )
    (error,) = xlsx_errors(content)
    assert error.startswith("sheet Verantwoordingstabel, row 1, column XYZ (E): unknown column")
    assert "UMC" in error  # the message lists the known categories


def test_xlsx_english_headers_and_indicator_sheet(registry):
    content = workbook_bytes(
        {
            "Verantwoordingstabel": [
                ["code", "Variable", "data type", "Indicators", "umc"],
                ["A1", "One", "number", "I1", "base"],
            ],
            "Indicatoren": [["code", "name", "kind", "description"], ["I1", "Ind", "proces", "x"]],
        }
    )
    table = read_table(content, format="xlsx")
    variable = table.variables[0]
    assert (variable.data_type, variable.indicators, variable.requirements) == (
        "number",
        ["I1"],
        {"UMC": "base"},
    )
    assert table.indicators == [
        table_io.TableIndicator(code="I1", name="Ind", kind="proces", description="x")
    ]


def test_xlsx_that_is_not_a_workbook(registry):
    (error,) = xlsx_errors(b"Code,Variabele\nA,B\n")
    assert error.startswith("The file is not a readable Excel workbook")
