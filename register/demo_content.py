"""Demo content: care types, holders, registries, providers and their accountability tables.

Names are realistic Dutch ones; KvK numbers, AGB codes and most codes are fictional or merely
plausible. Used only by ``register.demo`` (``manage.py load_demo``).
"""

from .table_io import Table, TableIndicator, TablePseudonym, TableVariable

CARE_TYPES = [
    ("heupfractuur", "Heupfractuurzorg"),
    ("colorectaal", "Colorectale chirurgie"),
    ("trauma", "Traumazorg"),
    ("verslaving", "Verslavingszorg"),
    ("acute-zorg", "Acute zorg"),
    ("hartzorg", "Cardiologie en hartchirurgie"),
    ("borstkanker", "Borstkankerzorg"),
    ("longkanker", "Oncologie: longkanker"),
    ("diabetes", "Diabeteszorg (kinderen en jongeren)"),
    ("ggz", "Geestelijke gezondheidszorg"),
    ("revalidatie", "Medisch-specialistische revalidatie"),
    ("geboortezorg", "Geboortezorg"),
]

HOLDERS = {
    "dica": (
        "Stichting Dutch Institute for Clinical Auditing",
        "34297459",
        "drs. M. Jansen",
        "secretariaat@dica.example.org",
    ),
    "lnaz": ("Landelijk Netwerk Acute Zorg", "51347056", "dr. P. de Boer", "info@lnaz.example.org"),
    "ivz": (
        "Stichting Informatievoorziening Zorg (IVZ)",
        "41178452",
        "ir. S. Bakker",
        "ladis@ivz.example.org",
    ),
    "nhr": (
        "Stichting Nederlandse Hart Registratie",
        "62383902",
        "dr. J. Visser",
        "info@nhr.example.org",
    ),
    "perined": (
        "Stichting Perinatale Registratie Nederland",
        "30212459",
        "drs. A. Smit",
        "info@perined.example.org",
    ),
    "akwa": ("Stichting Akwa GGZ", "70431983", "drs. L. Mulder", "info@akwaggz.example.org"),
    "nvk": (
        "Stichting Kwaliteitsregistraties Kindergeneeskunde",
        "58114027",
        "dr. E. Meijer",
        "dpard@kinderregistratie.example.org",
    ),
    "rn": (
        "Stichting Revalidatie Registraties",
        "65902218",
        "drs. K. de Groot",
        "lur@revalidatie.example.org",
    ),
}

# ("acronym", name, holder key, data processor, care types, population, website, statutory,
#  bsn_allowed, state, categories asked, variables builder key)
REGISTRIES = [
    dict(
        acronym="ltr",
        name="Landelijke Traumaregistratie",
        holder="lnaz",
        processor="Landelijk Netwerk Acute Zorg (LNAZ)",
        care_types=["trauma", "acute-zorg"],
        population="Alle patiënten die na een ongeval met letsel binnen 48 uur op een SEH worden gezien en worden opgenomen, overgeplaatst of op de SEH overlijden.",
        website="https://www.lnaz.nl/trauma",
        statutory=True,
        bsn_allowed=False,
        state="statutory",
        categories=["UMC", "STZ", "AZ", "AMBU"],
        consent=True,
    ),
    dict(
        acronym="ladis",
        name="Landelijk Alcohol en Drugs Informatie Systeem",
        holder="ivz",
        processor="Stichting IVZ",
        care_types=["verslaving"],
        population="Cliënten die zich aanmelden bij een instelling voor verslavingszorg of een verslavingsreclasseringsinstelling.",
        website="https://www.ladis.eu",
        statutory=True,
        bsn_allowed=True,
        state="statutory",
        categories=["VZ", "GGZ"],
        consent=True,
    ),
    dict(
        acronym="dhfa",
        name="Dutch Hip Fracture Audit",
        holder="dica",
        processor="MRDM",
        care_types=["heupfractuur"],
        population="Patiënten van 65 jaar en ouder die een operatie ondergaan voor een proximale femurfractuur.",
        website="https://dica.nl/dhfa",
        state="included_dhfa",
        categories=["UMC", "STZ", "AZ"],
        consent=True,
    ),
    dict(
        acronym="dcra",
        name="Dutch ColoRectal Audit",
        holder="dica",
        processor="MRDM",
        care_types=["colorectaal"],
        population="Patiënten die een resectie van een primair colorectaal carcinoom ondergaan.",
        website="https://dica.nl/dcra",
        state="included_past",
        categories=["UMC", "STZ", "AZ", "CAT"],
        consent=True,
    ),
    dict(
        acronym="nbca",
        name="NABON Breast Cancer Audit",
        holder="dica",
        processor="Dica",
        care_types=["borstkanker"],
        population="Patiënten met een primair invasief mammacarcinoom of DCIS die in Nederland worden behandeld.",
        website="https://dica.nl/nbca",
        state="included_future",
        categories=["UMC", "STZ", "AZ", "CAT", "ZBC"],
        consent=False,
    ),
    dict(
        acronym="nhr",
        name="Nederlandse Hart Registratie",
        holder="nhr",
        processor="Nederlandse Hart Registratie",
        care_types=["hartzorg"],
        population="Patiënten die een hartoperatie, percutane coronaire interventie, TAVI of ablatie ondergaan in een van de hartcentra.",
        website="https://nederlandsehartregistratie.nl",
        state="applied",
        categories=["UMC", "STZ"],
        consent=True,
    ),
    dict(
        acronym="lnaz",
        name="Landelijke Registratie Acute Zorg (LNAZ)",
        holder="lnaz",
        processor="Landelijk Netwerk Acute Zorg (LNAZ)",
        care_types=["acute-zorg"],
        population="Alle patiëntcontacten op een spoedeisende hulp en alle ambulance-inzetten met patiëntcontact.",
        website="https://www.lnaz.nl",
        bsn_allowed=True,
        state="supplementary_igc",
        categories=["UMC", "STZ", "AZ", "AMBU"],
        consent=True,
    ),
    dict(
        acronym="dlca-s",
        name="Dutch Lung Cancer Audit – Chirurgie",
        holder="dica",
        processor="MRDM",
        care_types=["longkanker"],
        population="Patiënten die een resectie ondergaan voor een primair longcarcinoom.",
        website="https://dica.nl/dlca",
        state="first_review",
        categories=["UMC", "STZ", "AZ", "CAT"],
        consent=False,
    ),
    dict(
        acronym="perined",
        name="Perinatale Registratie Nederland",
        holder="perined",
        processor="Perined",
        care_types=["geboortezorg"],
        population="Alle zwangerschappen vanaf 16 weken amenorroeduur en de geboren kinderen, in de eerste en tweede lijn.",
        website="https://www.perined.nl",
        state="first_review",
        categories=["UMC", "STZ", "AZ"],
        consent=False,
    ),
    dict(
        acronym="dpard",
        name="Dutch Pediatric and Adolescent Registry Diabetes",
        holder="nvk",
        processor="MRDM",
        care_types=["diabetes"],
        population="Kinderen en jongeren tot 18 jaar met diabetes mellitus type 1 onder behandeling van een kinderarts.",
        website="https://dpard.example.org",
        state="advised",
        categories=["UMC", "STZ", "AZ"],
        consent=True,
    ),
    dict(
        acronym="akwa-rom",
        name="Landelijke ROM-registratie GGZ",
        holder="akwa",
        processor="Akwa GGZ",
        care_types=["ggz"],
        population="Cliënten in de gespecialiseerde ggz met een behandeltraject van ten minste één maand.",
        website="https://akwaggz.nl",
        state="refused",
        categories=["GGZ"],
        consent=True,
    ),
    dict(
        acronym="lur",
        name="Landelijke Uitkomstregistratie Revalidatie",
        holder="rn",
        processor="MRDM",
        care_types=["revalidatie"],
        population="Patiënten in een klinisch of poliklinisch medisch-specialistisch revalidatietraject na CVA, amputatie of dwarslaesie.",
        website="https://lur.example.org",
        state="draft",
        categories=["REV", "UMC"],
        consent=False,
    ),
]

# (name, AGB code, categories, care types)
PROVIDERS = [
    (
        "Amsterdam UMC",
        "06100001",
        ["UMC"],
        [
            "heupfractuur",
            "colorectaal",
            "trauma",
            "acute-zorg",
            "hartzorg",
            "borstkanker",
            "longkanker",
            "diabetes",
            "geboortezorg",
            "revalidatie",
        ],
    ),
    (
        "UMC Utrecht",
        "06100002",
        ["UMC"],
        [
            "colorectaal",
            "trauma",
            "acute-zorg",
            "hartzorg",
            "borstkanker",
            "longkanker",
            "diabetes",
            "geboortezorg",
        ],
    ),
    (
        "Radboudumc",
        "06100003",
        ["UMC"],
        [
            "heupfractuur",
            "colorectaal",
            "trauma",
            "acute-zorg",
            "hartzorg",
            "longkanker",
            "diabetes",
            "revalidatie",
        ],
    ),
    (
        "Erasmus MC",
        "06100004",
        ["UMC"],
        [
            "heupfractuur",
            "colorectaal",
            "trauma",
            "acute-zorg",
            "hartzorg",
            "borstkanker",
            "longkanker",
            "geboortezorg",
        ],
    ),
    (
        "Rijnstate",
        "06100105",
        ["STZ"],
        [
            "heupfractuur",
            "colorectaal",
            "trauma",
            "acute-zorg",
            "hartzorg",
            "borstkanker",
            "longkanker",
            "geboortezorg",
        ],
    ),
    (
        "Isala",
        "06100106",
        ["STZ"],
        [
            "heupfractuur",
            "colorectaal",
            "trauma",
            "acute-zorg",
            "hartzorg",
            "borstkanker",
            "diabetes",
        ],
    ),
    (
        "Catharina Ziekenhuis",
        "06100107",
        ["STZ"],
        ["colorectaal", "acute-zorg", "hartzorg", "longkanker", "borstkanker"],
    ),
    (
        "Maasstad Ziekenhuis",
        "06100108",
        ["STZ"],
        ["heupfractuur", "colorectaal", "trauma", "acute-zorg", "borstkanker", "geboortezorg"],
    ),
    (
        "Ziekenhuis Gelderse Vallei",
        "06100209",
        ["AZ"],
        ["heupfractuur", "colorectaal", "acute-zorg", "borstkanker", "diabetes", "geboortezorg"],
    ),
    (
        "Tergooi MC",
        "06100210",
        ["AZ"],
        ["heupfractuur", "colorectaal", "acute-zorg", "borstkanker", "geboortezorg"],
    ),
    (
        "Zuyderland Medisch Centrum",
        "06100211",
        ["AZ"],
        ["heupfractuur", "colorectaal", "trauma", "acute-zorg", "longkanker", "diabetes"],
    ),
    (
        "Ziekenhuis Rivierenland",
        "06100212",
        ["AZ"],
        ["heupfractuur", "colorectaal", "acute-zorg", "borstkanker", "geboortezorg"],
    ),
    ("Antoni van Leeuwenhoek", "06100313", ["CAT"], ["colorectaal", "borstkanker", "longkanker"]),
    ("Bergman Clinics Borstkliniek", "06100414", ["ZBC"], ["borstkanker"]),
    ("Sint Maartenskliniek", "06100315", ["CAT", "REV"], ["revalidatie"]),
    ("Reade", "06100516", ["REV"], ["revalidatie"]),
    ("GGZ inGeest", "22100017", ["GGZ"], ["ggz"]),
    ("Parnassia Groep", "22100018", ["GGZ", "VZ"], ["ggz", "verslaving"]),
    ("Jellinek (Arkin)", "22100019", ["VZ"], ["verslaving"]),
    ("Tactus Verslavingszorg", "22100020", ["VZ"], ["verslaving"]),
    ("Novadic-Kentron", "22100021", ["VZ"], ["verslaving"]),
    (
        "Ambulancezorg Nederland Regio Gelderland-Midden",
        "25100022",
        ["AMBU"],
        ["acute-zorg", "trauma"],
    ),
    ("RAV Brabant Midden-West-Noord", "25100023", ["AMBU"], ["acute-zorg", "trauma"]),
]
DEMO_PROVIDER_AGB = (
    "06100105"  # Rijnstate: STZ with hip fracture, colorectal, trauma, breast cancer
)

# --- Variables ------------------------------------------------------------------------------

PURPOSE_LETTERS = {
    "L": "learn_improve",
    "S": "shared_decision",
    "I": "indicator",
    "C": "case_mix",
    "X": "instrument",
}
PURPOSE_TEXT = {
    "learn_improve": "de spiegelinformatie aan zorgverleners (leren en verbeteren)",
    "shared_decision": "de uitkomstinformatie voor samen beslissen",
    "indicator": "het berekenen van de indicatoren",
    "case_mix": "de casemixcorrectie van de uitkomsten",
    "instrument": "de doorontwikkeling van het meetinstrument",
}


def V(
    code,
    name,
    dt="text",
    cs="none",
    csc="",
    p="L",
    pd="none",
    ehr="yes",
    unit="",
    gen="",
    desc="",
    ind=(),
):
    return dict(
        code=code,
        name=name,
        data_type=dt,
        code_system=cs,
        code_system_code=csc,
        purposes=[PURPOSE_LETTERS[c] for c in p],
        personal_data=pd,
        ehr_source=ehr,
        unit=unit,
        generalisation=gen,
        description=desc,
        indicators=list(ind),
    )


COMMON = [
    V(
        "GEBJAAR",
        "Geboortejaar",
        "number",
        "zib",
        "Patient.Geboortedatum",
        "LC",
        "quasi",
        gen="geboortejaar in plaats van geboortedatum",
        desc="Geboortejaar van de patiënt, afgeleid uit de geboortedatum.",
    ),
    V(
        "GESLACHT",
        "Geslacht",
        "code",
        "snomed",
        "263495000",
        "LC",
        "quasi",
        desc="Administratief geslacht volgens de ZIB Patient.",
    ),
    V(
        "PC4",
        "Postcode 4 cijfers",
        "text",
        "zib",
        "Adresgegevens.Postcode",
        "C",
        "quasi",
        gen="alleen de vier cijfers van de postcode",
        desc="Voor correctie op sociaaleconomische status.",
    ),
    V(
        "AGB_INST",
        "AGB-code instelling",
        "text",
        desc="AGB-code van de aanleverende zorgaanbieder (voor terugkoppeling).",
    ),
    V(
        "DAT_OPN",
        "Datum opname",
        "date",
        "zib",
        "Contact.BeginDatumTijd",
        "LI",
        "quasi",
        desc="Datum van de (eerste) opname voor deze aandoening.",
    ),
    V("DAT_ONTSL", "Datum ontslag", "date", "zib", "Contact.EindDatumTijd", "LI", "quasi"),
    V(
        "OPNDUUR",
        "Opnameduur",
        "number",
        p="LI",
        unit="dagen",
        desc="Afgeleid uit opname- en ontslagdatum.",
    ),
    V(
        "ASA",
        "ASA-classificatie",
        "code",
        "snomed",
        "302132005",
        "C",
        desc="Fysieke status volgens de American Society of Anesthesiologists (I–V).",
    ),
    V("LENGTE", "Lichaamslengte", "number", "loinc", "8302-2", "C", unit="cm"),
    V("GEWICHT", "Lichaamsgewicht", "number", "loinc", "29463-7", "C", unit="kg"),
    V("BMI", "Body-mass index", "number", "loinc", "39156-5", "C", unit="kg/m2"),
    V("ROOKSTATUS", "Rookstatus", "code", "zib", "TabakGebruik.TabakGebruikStatus", "CS"),
    V("CHARLSON", "Charlson comorbiditeitsindex", "number", p="C", ehr="partly"),
    V("DIABETES", "Diabetes mellitus", "boolean", "icd10", "E11", "C"),
    V(
        "COMPL",
        "Complicatie",
        "boolean",
        "snomed",
        "116223007",
        "LIS",
        desc="Ongewenste uitkomst tijdens of na de behandeling die een aanpassing van het beleid vraagt.",
    ),
    V("COMPL_TYPE", "Type complicatie", "code", "snomed", "116223007", "L", ehr="partly"),
    V("CLAVIEN", "Clavien-Dindo graad", "code", p="LI", ehr="no"),
    V("HEROPN30", "Heropname binnen 30 dagen", "boolean", p="LI"),
    V(
        "MORT30",
        "Mortaliteit 30 dagen",
        "boolean",
        "snomed",
        "419099009",
        "LIS",
        desc="Overleden binnen 30 dagen na de ingreep of opname.",
    ),
    V("DAT_OVL", "Datum overlijden", "date", "zib", "Patient.DatumOverlijden", "I", "quasi"),
    V("ONTSLBEST", "Ontslagbestemming", "code", "dhd", "Ontslagbestemming", "LS"),
]
SURGERY = [
    V(
        "DAT_OK",
        "Datum operatie",
        "date",
        "zib",
        "Verrichting.VerrichtingStartDatum",
        "LI",
        "quasi",
    ),
    V(
        "URGENTIE",
        "Urgentie ingreep",
        "code",
        "snomed",
        "103390000",
        "C",
        desc="Electief, semi-acuut of acuut.",
    ),
    V("OKDUUR", "Operatieduur", "number", p="L", unit="minuten"),
    V("REINT", "Re-interventie binnen 30 dagen", "boolean", p="LI"),
    V("ANESTH", "Anesthesietechniek", "code", "snomed", "399097000", "L"),
]
EQ5D_ITEMS = [
    ("MOB", "mobiliteit"),
    ("ZELF", "zelfzorg"),
    ("ACT", "dagelijkse activiteiten"),
    ("PIJN", "pijn/ongemak"),
    ("ANGST", "angst/somberheid"),
    ("VAS", "VAS-gezondheidsscore"),
    ("INDEX", "indexwaarde"),
]


def eq5d(moment_code, moment, p="LS"):
    return [
        V(
            f"EQ5D_{item}_{moment_code}",
            f"EQ-5D-5L {label} {moment}",
            "number",
            p=p,
            ehr="no",
            desc=f"Door de patiënt gerapporteerde uitkomst (PROM), {moment}.",
        )
        for item, label in EQ5D_ITEMS
    ]


def items(prefix, label, count, moment_code, moment, p="X"):
    return [
        V(
            f"{prefix}{n:02d}_{moment_code}",
            f"{label} item {n} {moment}",
            "number",
            p=p,
            ehr="no",
            desc=f"{label}, vraag {n}, {moment}.",
        )
        for n in range(1, count + 1)
    ]


SPECIFIC = {
    "dhfa": [
        V(
            "TYPE_FRACT",
            "Type fractuur",
            "code",
            "icd10",
            "S72.0",
            "LIC",
            desc="Collum-, pertrochantere of subtrochantere femurfractuur.",
            ind=["DHFA-2"],
        ),
        V("ZIJDE", "Zijde fractuur", "code", "snomed", "182353008", "L"),
        V("DAT_FRACT", "Datum en tijd fractuur", "date", p="LI", ehr="partly", ind=["DHFA-1"]),
        V("TIJD_OK", "Tijd tot operatie", "number", p="LI", unit="uren", ind=["DHFA-1"]),
        V(
            "TYPE_OK",
            "Type operatie",
            "code",
            "snomed",
            "179344006",
            "LS",
            desc="Osteosynthese, hemiartroplastiek of totale heupprothese.",
        ),
        V("WOONSIT", "Woonsituatie voor opname", "code", "zib", "Woonsituatie", "CS"),
        V(
            "PARKER",
            "Mobiliteit voor fractuur (Parker Mobility Score)",
            "number",
            p="CS",
            ehr="partly",
        ),
        V("KATZ", "Katz-ADL-score voor opname", "number", p="C", ehr="partly"),
        V("COGN", "Cognitieve stoornis bekend", "boolean", "snomed", "386806002", "C"),
        V("DELIER", "Delier tijdens opname", "boolean", "icd10", "F05", "LI"),
        V("DECUBITUS", "Decubitus tijdens opname", "boolean", "icd10", "L89", "L"),
        V("GER_MEDEBEH", "Geriatrische medebehandeling", "boolean", p="LI", ind=["DHFA-4"]),
        V(
            "OSTEO_MED",
            "Osteoporosemedicatie bij ontslag",
            "boolean",
            "gstandaard",
            "ATC M05BA",
            "LI",
            ind=["DHFA-3"],
        ),
        V("VALANAMN", "Valanamnese afgenomen", "boolean", p="L", ehr="no"),
        V("SNAQ", "Ondervoedingsscore (SNAQ65+)", "number", p="L", ehr="partly"),
        V("HEROK", "Heroperatie binnen 90 dagen", "boolean", p="LI"),
        V("MORT90", "Mortaliteit 90 dagen", "boolean", "snomed", "419099009", "LIS"),
        V("MOB_3M", "Mobiliteit na 3 maanden", "number", p="LS", ehr="no"),
        V("WOONSIT_3M", "Woonsituatie na 3 maanden", "code", "zib", "Woonsituatie", "LS", ehr="no"),
    ],
    "dcra": [
        V("TUMORLOC", "Tumorlocatie", "code", "icd10", "C18", "LC"),
        V("CTNM", "Klinische TNM-stadiëring", "code", "snomed", "385356007", "C"),
        V("PTNM", "Pathologische TNM-stadiëring", "code", "snomed", "384625004", "LC"),
        V("NEOADJ", "Neoadjuvante therapie", "code", "snomed", "373847000", "LC"),
        V("MDO", "Preoperatieve bespreking in MDO", "boolean", p="LI", ind=["DCRA-3"]),
        V("CEA", "CEA preoperatief", "number", "loinc", "2039-6", "C", unit="µg/l"),
        V("RESECTIE", "Type resectie", "code", "snomed", "265414003", "LS"),
        V("TECHNIEK", "Operatietechniek (open, laparoscopisch, robot)", "code", p="LS"),
        V("CONVERSIE", "Conversie naar open", "boolean", p="L"),
        V("ANASTOMOSE", "Primaire anastomose", "boolean", p="LC"),
        V("NAADLEK", "Naadlekkage", "boolean", "snomed", "441563000", "LIS", ind=["DCRA-1"]),
        V("STOMA", "Stoma aangelegd", "boolean", "snomed", "245857005", "LS"),
        V("RADICAL", "Radicaliteit (R0/R1/R2)", "code", p="LI", ind=["DCRA-2"]),
        V("LYMFKL", "Aantal onderzochte lymfklieren", "number", p="LI", ind=["DCRA-4"]),
        V("CRM", "Circumferentiële resectiemarge", "number", p="L", unit="mm"),
        V("ICU", "Opname op IC", "boolean", p="L"),
    ],
    "ltr": [
        V(
            "TRAUMAMECH",
            "Traumamechanisme",
            "code",
            "icd10",
            "V89",
            "LC",
            desc="Externe oorzaak van het letsel (ICD-10 hoofdstuk XX).",
        ),
        V("DAT_ONGEVAL", "Datum en tijd ongeval", "date", p="LI", pd="quasi", ehr="partly"),
        V("ISS", "Injury Severity Score", "number", p="LIC", ehr="no", ind=["LTR-1"]),
        V("AIS_HOOFD", "AIS hoofd/hals", "number", p="C", ehr="no"),
        V("AIS_THORAX", "AIS thorax", "number", p="C", ehr="no"),
        V("GCS", "Glasgow Coma Scale bij binnenkomst", "number", "loinc", "9269-2", "C"),
        V(
            "RR_SYST",
            "Systolische bloeddruk bij binnenkomst",
            "number",
            "loinc",
            "8480-6",
            "C",
            unit="mmHg",
        ),
        V(
            "ADEMFREQ",
            "Ademfrequentie bij binnenkomst",
            "number",
            "loinc",
            "9279-1",
            "C",
            unit="/min",
        ),
        V("VERVOER", "Vervoer naar ziekenhuis", "code", "dhd", "Vervoer", "L"),
        V("MMT", "Inzet mobiel medisch team", "boolean", p="L"),
        V("TIJD_CT", "Tijd tot CT-scan", "number", p="LI", unit="minuten", ind=["LTR-2"]),
        V("IC_OPN", "Opname intensive care", "boolean", p="L"),
        V("BEADEMING", "Beademingsdagen", "number", p="L", unit="dagen"),
        V(
            "OVERPL",
            "Secundaire overplaatsing naar traumacentrum",
            "boolean",
            p="LI",
            ind=["LTR-3"],
        ),
        V("GOS", "Glasgow Outcome Scale bij ontslag", "number", p="LS"),
    ],
    "ladis": [
        V("MIDDEL_PRIM", "Primair problematisch middel", "code", "snomed", "66214007", "LC"),
        V("MIDDEL_SEC", "Secundair problematisch middel", "code", "snomed", "66214007", "C"),
        V("INJECTEREN", "Injecterend gebruik", "boolean", p="LC"),
        V("LFT_EERSTE", "Leeftijd eerste gebruik", "number", p="C", ehr="partly", unit="jaar"),
        V("ZORGVORM", "Zorgvorm (ambulant, deeltijd, klinisch)", "code", p="L"),
        V("DAT_START", "Datum start behandeling", "date", p="LI", pd="quasi"),
        V("DAT_EINDE", "Datum einde behandeling", "date", p="LI", pd="quasi"),
        V("REDEN_EINDE", "Reden einde behandeling", "code", p="LI", ind=["LADIS-1"]),
        V("JUSTITIE", "Justitieel kader", "boolean", p="C"),
        V("DAGBEST", "Dagbesteding", "code", "zib", "Participatie", "C"),
        V("WOONSIT", "Woonsituatie", "code", "zib", "Woonsituatie", "C"),
        V("EERDER_BEH", "Eerder in behandeling geweest", "boolean", p="C"),
        V("MATE", "MATE-ICN totaalscore", "number", p="LS", ehr="no"),
    ],
    "lnaz": [
        V(
            "DAT_SEH",
            "Datum en tijd aankomst SEH",
            "date",
            "zib",
            "Contact.BeginDatumTijd",
            "LI",
            "quasi",
        ),
        V("TRIAGE", "Triagecategorie (MTS)", "code", "snomed", "225390008", "LC"),
        V("VERWIJZER", "Verwijzer", "code", "dhd", "Verwijzer", "L"),
        V("VERVOER", "Vervoer naar SEH", "code", "dhd", "Vervoer", "L"),
        V("SPEC", "Behandelend specialisme", "code", "dhd", "Specialisme", "L"),
        V("DIAG_SEH", "Diagnose SEH", "code", "dhd", "Diagnosethesaurus", "LC"),
        V(
            "VERVOLG",
            "Vervolg na SEH (opname, ontslag, overplaatsing)",
            "code",
            p="LI",
            ind=["LNAZ-2"],
        ),
        V("VERBLIJF", "Verblijfsduur SEH", "number", p="LI", unit="minuten", ind=["LNAZ-1"]),
        V("AMBU_RIT", "Ambulancerit met A1-urgentie", "boolean", p="L"),
        V("AANRIJTIJD", "Aanrijtijd ambulance", "number", p="LI", unit="minuten", ind=["LNAZ-3"]),
        V("ROAZ", "ROAZ-regio", "code", p="L"),
        V("BEDDEN", "Opnamestop afdeling", "boolean", p="L", ehr="no"),
    ],
    "nhr": [
        V(
            "INGREEP",
            "Type ingreep (CABG, PCI, TAVI, klep, ablatie)",
            "code",
            "snomed",
            "232717009",
            "LS",
        ),
        V("LVEF", "Linkerventrikelejectiefractie", "number", "loinc", "10230-1", "C", unit="%"),
        V("EUROSCORE", "EuroSCORE II", "number", p="C", ehr="partly"),
        V("NYHA", "NYHA-klasse", "code", "snomed", "420816009", "CS"),
        V("CCS", "CCS-angina-klasse", "code", p="C"),
        V("EGFR", "Nierfunctie (eGFR)", "number", "loinc", "62238-1", "C", unit="ml/min/1,73m2"),
        V("AF", "Atriumfibrilleren", "boolean", "icd10", "I48", "C"),
        V("MI_VOORG", "Doorgemaakt myocardinfarct", "boolean", "icd10", "I25.2", "C"),
        V("CVA_POSTOP", "CVA postoperatief", "boolean", "icd10", "I63", "LI", ind=["NHR-2"]),
        V("STERNUMINF", "Diepe sternumwondinfectie", "boolean", "snomed", "433202001", "LI"),
        V("PACEMAKER", "Pacemakerimplantatie binnen 30 dagen", "boolean", p="L"),
        V("HERINTERV", "Herinterventie binnen 1 jaar", "boolean", p="LI", ind=["NHR-3"]),
        V("OVERL_1J", "Overleving 1 jaar", "boolean", p="LIS", ind=["NHR-1"]),
        V("DOORLOOP", "Doorlooptijd verwijzing tot ingreep", "number", p="L", unit="dagen"),
    ],
    "nbca": [
        V("LATERAL", "Lateraliteit", "code", "snomed", "182353008", "L"),
        V("PT", "Pathologische tumorgrootte (pT)", "code", "snomed", "384625004", "LC"),
        V("HISTOL", "Histologisch type", "code", "snomed", "413448000", "LC"),
        V("ER", "Oestrogeenreceptorstatus", "code", "loinc", "16112-5", "C"),
        V("PR", "Progesteronreceptorstatus", "code", "loinc", "16113-3", "C"),
        V("HER2", "HER2-status", "code", "loinc", "48676-1", "C"),
        V("OKSEL", "Okselklierstatus", "code", p="LC"),
        V("CHIR", "Type chirurgie (borstsparend, ablatio)", "code", "snomed", "392021009", "LS"),
        V("RECONSTR", "Directe reconstructie", "boolean", p="LS", ind=["NBCA-3"]),
        V("IRRAD", "Irradicaliteit na borstsparende operatie", "boolean", p="LI", ind=["NBCA-1"]),
        V("HEROK", "Heroperatie", "boolean", p="LI"),
        V("NEOADJ_ST", "Neoadjuvante systemische therapie", "boolean", p="LC"),
        V("MDO_PRE", "Preoperatieve bespreking in MDO", "boolean", p="LI", ind=["NBCA-2"]),
        V("BRCA", "Kiembaanmutatie BRCA1/2", "code", p="C", ehr="partly"),
    ],
    "dlca-s": [
        V("HISTOL", "Histologie", "code", "snomed", "254637007", "LC"),
        V("CTNM", "Klinische TNM-stadiëring", "code", "snomed", "385356007", "C"),
        V(
            "RESECTIE",
            "Type resectie (lobectomie, segmentectomie, pneumonectomie)",
            "code",
            "snomed",
            "173171007",
            "LS",
        ),
        V("BENADERING", "Benadering (VATS, robot, open)", "code", p="L"),
        V("FEV1", "FEV1 preoperatief", "number", "loinc", "20150-9", "C", unit="% voorspeld"),
        V("DLCO", "DLCO preoperatief", "number", "loinc", "19911-7", "C", unit="% voorspeld"),
        V("WHO_PS", "WHO-performancestatus", "code", "snomed", "423740007", "C"),
        V("LUCHTLEK", "Luchtlekkage langer dan 5 dagen", "boolean", p="LI"),
        V("GECOMPL", "Gecompliceerd beloop", "boolean", p="LI", ind=["DLCA-1"]),
    ],
    "perined": [
        V("PARITEIT", "Pariteit", "number", "loinc", "11977-6", "C"),
        V("AMENORROE", "Zwangerschapsduur bij geboorte", "number", p="LC", unit="weken"),
        V("MEERLING", "Meerlingzwangerschap", "boolean", p="C"),
        V("LIGGING", "Ligging kind", "code", "snomed", "249062004", "L"),
        V("BEVALWIJZE", "Wijze van bevallen", "code", "snomed", "236973005", "LIS", ind=["PER-2"]),
        V("GEBGEW", "Geboortegewicht", "number", "loinc", "8339-4", "LC", unit="gram"),
        V("APGAR5", "Apgarscore na 5 minuten", "number", "loinc", "9274-2", "LI", ind=["PER-1"]),
        V("FLUXUS", "Fluxus postpartum (>1000 ml)", "boolean", p="LI"),
        V("RUPTUUR", "Perineumruptuur graad 3/4", "boolean", p="LI"),
        V("ZORGLIJN", "Verloskundige zorglijn bij geboorte", "code", p="L"),
        V("PERI_STERFTE", "Perinatale sterfte", "boolean", p="LI", ind=["PER-3"]),
    ],
    "dpard": [
        V("TYPE_DM", "Type diabetes", "code", "icd10", "E10", "LC"),
        V("DIAGJAAR", "Jaar van diagnose", "number", p="C", pd="quasi", gen="alleen het jaar"),
        V("HBA1C", "HbA1c", "number", "loinc", "4548-4", "LIS", unit="mmol/mol", ind=["DPARD-1"]),
        V("POMP", "Insulinepomp", "boolean", p="LS"),
        V("CGM", "Continue glucosemonitoring", "boolean", p="LS"),
        V("HYPO", "Ernstige hypoglykemie", "boolean", p="LI"),
        V("DKA", "Diabetische ketoacidose", "boolean", "icd10", "E10.1", "LI", ind=["DPARD-2"]),
        V("RETINO", "Screening retinopathie verricht", "boolean", p="LI"),
        V("RR", "Bloeddruk", "number", "loinc", "85354-9", "L", unit="mmHg"),
        V("COELIAKIE", "Screening coeliakie", "boolean", p="L"),
    ],
    "akwa-rom": [
        V("DSM5", "Hoofddiagnose (DSM-5-classificatie)", "code", "icd10", "F32", "LC"),
        V("ZORGVRAAG", "Zorgvraagtypering", "code", p="C"),
        V("SETTING", "Behandelsetting", "code", p="L"),
        V("HONOS_T0", "HoNOS totaalscore voormeting", "number", p="LIC", ehr="no", ind=["ROM-1"]),
        V("HONOS_T1", "HoNOS totaalscore nameting", "number", p="LI", ehr="no", ind=["ROM-1"]),
        V("OQ45_T0", "OQ-45 totaalscore voormeting", "number", p="LS", ehr="no"),
        V("OQ45_T1", "OQ-45 totaalscore nameting", "number", p="LS", ehr="no"),
        V("BEHDUUR", "Behandelduur", "number", p="L", unit="dagen"),
        V(
            "DAT_GEB",
            "Geboortedatum",
            "date",
            "zib",
            "Patient.Geboortedatum",
            "C",
            "quasi",
            desc="Volledige geboortedatum (niet gegeneraliseerd).",
        ),
        V(
            "POSTCODE6",
            "Postcode 6 posities",
            "text",
            "zib",
            "Adresgegevens.Postcode",
            "C",
            "quasi",
        ),
    ],
    "lur": [
        V("DIAGGROEP", "Diagnosegroep (CVA, amputatie, dwarslaesie)", "code", "icd10", "I63", "LC"),
        V("BARTHEL_T0", "Barthel-index bij opname", "number", "loinc", "83184-0", "LC"),
        V(
            "BARTHEL_T1",
            "Barthel-index bij ontslag",
            "number",
            "loinc",
            "83184-0",
            "LIS",
            ind=["LUR-1"],
        ),
        V("USER_P", "USER-Participatie", "number", p="LS", ehr="no"),
        V("BEHUREN", "Aantal behandeluren", "number", p="L", unit="uren"),
        V("GAS", "Doelrealisatie (Goal Attainment Scaling)", "number", p="LS", ehr="no"),
    ],
}

INDICATORS = {
    "dhfa": [
        ("DHFA-1", "Operatie binnen 24 uur na binnenkomst", "proces"),
        ("DHFA-2", "Mortaliteit binnen 30 dagen", "uitkomst"),
        ("DHFA-3", "Osteoporosebehandeling bij ontslag", "proces"),
        ("DHFA-4", "Geriatrische medebehandeling", "proces"),
    ],
    "dcra": [
        ("DCRA-1", "Gecompliceerd beloop na resectie", "uitkomst"),
        ("DCRA-2", "Radicale resectie (R0)", "uitkomst"),
        ("DCRA-3", "Preoperatief MDO", "proces"),
        ("DCRA-4", "Ten minste 10 lymfklieren onderzocht", "proces"),
    ],
    "ltr": [
        ("LTR-1", "Letselernst ernstig gewonden (ISS ≥ 16)", "structuur"),
        ("LTR-2", "Tijd tot CT-scan bij ernstig letsel", "proces"),
        ("LTR-3", "Secundaire overplaatsing", "proces"),
    ],
    "ladis": [("LADIS-1", "Reguliere beëindiging behandeling", "uitkomst")],
    "lnaz": [
        ("LNAZ-1", "Verblijfsduur SEH langer dan 4 uur", "proces"),
        ("LNAZ-2", "Opname na SEH-bezoek", "uitkomst"),
        ("LNAZ-3", "A1-ritten binnen 15 minuten", "proces"),
    ],
    "nhr": [
        ("NHR-1", "Overleving 1 jaar na ingreep", "uitkomst"),
        ("NHR-2", "CVA na ingreep", "uitkomst"),
        ("NHR-3", "Herinterventie binnen 1 jaar", "uitkomst"),
    ],
    "nbca": [
        ("NBCA-1", "Irradicaliteit na borstsparende operatie", "uitkomst"),
        ("NBCA-2", "Preoperatief MDO", "proces"),
        ("NBCA-3", "Directe reconstructie na ablatio", "proces"),
    ],
    "dlca-s": [("DLCA-1", "Gecompliceerd postoperatief beloop", "uitkomst")],
    "perined": [
        ("PER-1", "Apgarscore < 7 na 5 minuten", "uitkomst"),
        ("PER-2", "Sectio caesarea bij laag risico", "uitkomst"),
        ("PER-3", "Perinatale sterfte", "uitkomst"),
    ],
    "dpard": [("DPARD-1", "Gemiddeld HbA1c", "uitkomst"), ("DPARD-2", "Ketoacidose", "uitkomst")],
    "akwa-rom": [("ROM-1", "Delta-T HoNOS", "uitkomst")],
    "lur": [("LUR-1", "Verbetering Barthel-index", "uitkomst")],
}

PSEUDONYMS = {
    "ltr": [
        (
            "RGG",
            "Koppeling van ambulance-, SEH- en ziekenhuisgegevens van dezelfde patiënt binnen de regio.",
        )
    ],
    "ladis": [
        (
            "B",
            "Wkz: LADIS mag het BSN verwerken; het BSN-pseudoniem maakt koppeling van behandelepisodes over instellingen heen mogelijk.",
        ),
        ("MRN", "Terugkoppeling aan de aanleverende instelling."),
    ],
    "lnaz": [
        (
            "B",
            "Wkz: LNAZ mag het BSN verwerken voor de koppeling van ambulance-inzet, SEH-bezoek en opname in de acute zorgketen.",
        ),
        ("MRN", "Terugkoppeling van gegevens aan de aanleverende zorgaanbieder."),
    ],
    "dhfa": [
        (
            "NGGV",
            "Koppeling van de heroperatie en de uitkomst na 3 maanden aan de primaire ingreep.",
        ),
        ("MRN", "Terugkoppeling (spiegelinformatie) aan de aanleverende zorgaanbieder."),
    ],
    "dcra": [("NGGV", "Koppeling met de pathologie-uitslag en de follow-up.")],
    "nbca": [("NGGV", "Koppeling van de operatie aan de systemische behandeling en de follow-up.")],
    "nhr": [("NGGV", "Koppeling van herinterventies in andere hartcentra aan de eerste ingreep.")],
    "dlca-s": [("sNGGV", "Koppeling met de follow-up.")],
    "perined": [("NGG", "Koppeling van moeder en kind over de eerste en tweede lijn.")],
    "dpard": [("GG", "Ontdubbeling van kinderen die van kinderarts wisselen.")],
    "akwa-rom": [("C", "Koppeling van metingen van dezelfde cliënt over behandeltrajecten heen.")],
    "lur": [("MRN", "Terugkoppeling aan de revalidatie-instelling.")],
}

# Patient-reported outcome sets per registry: (questionnaire builders, measurement moments).
PROMS = {
    "dhfa": ["eq5d"],
    "dcra": ["eq5d"],
    "nhr": ["eq5d", "sf12", "saq"],
    "nbca": ["eq5d", "breastq"],
    "dlca-s": ["eq5d"],
    "dpard": ["pedsql"],
    "lur": ["eq5d"],
    "akwa-rom": [],
    "ltr": ["eq5d"],
    "ladis": [],
    "lnaz": [],
    "perined": [],
}
MOMENTS = [
    ("T0", "voormeting"),
    ("M3", "na 3 maanden"),
    ("M12", "na 12 maanden"),
    ("W6", "na 6 weken"),
    ("M6", "na 6 maanden"),
    ("J2", "na 2 jaar"),
    ("J5", "na 5 jaar"),
]


def _prom_block(kind, moment_code, moment):
    if kind == "eq5d":
        return eq5d(moment_code, moment)
    if kind == "sf12":
        return items("SF12_", "SF-12", 12, moment_code, moment)
    if kind == "saq":
        return items("SAQ", "Seattle Angina Questionnaire", 19, moment_code, moment)
    if kind == "breastq":
        return items("BQ", "BREAST-Q", 10, moment_code, moment, p="SX")
    if kind == "pedsql":
        return items("PEDSQL", "PedsQL diabetesmodule", 8, moment_code, moment, p="SX")
    raise ValueError(kind)


SURGICAL = {"dhfa", "dcra", "nhr", "nbca", "dlca-s"}


def _nps(variable, registry_name):
    purposes = [PURPOSE_TEXT[p] for p in variable["purposes"]] or [PURPOSE_TEXT["learn_improve"]]
    necessity = (
        f"{variable['name']} is nodig voor {' en '.join(purposes)} van de {registry_name}; "
        "zonder dit gegeven zijn de uitkomsten tussen zorgaanbieders niet te vergelijken."
    )
    if variable["ehr_source"] == "yes":
        proportionality = "Het gegeven staat gestructureerd in het EPD en wordt automatisch geëxtraheerd; de registratielast is verwaarloosbaar."
    elif variable["ehr_source"] == "partly":
        proportionality = "Het gegeven staat deels gestructureerd in het EPD; de aanvullende handmatige registratie kost naar schatting minder dan een minuut per patiënt."
    else:
        proportionality = "Het gegeven wordt door de patiënt zelf gerapporteerd of handmatig vastgelegd; de last weegt op tegen het belang voor samen beslissen en verbeteren."
    if variable["personal_data"] == "quasi":
        subsidiarity = (
            f"Het gegeven is indirect identificerend en wordt daarom gegeneraliseerd ({variable['generalisation']})."
            if variable["generalisation"]
            else "Het gegeven is indirect identificerend; een minder precieze variant volstaat niet voor de indicatorberekening."
        )
    else:
        subsidiarity = "Het gegeven is niet af te leiden uit andere variabelen of uit DBC-/DIS-gegevens; er is geen minder belastend alternatief."
    return necessity, proportionality, subsidiarity


def build_table(
    acronym: str,
    registry_name: str,
    categories: list[str],
    *,
    scale: int = 1,
    variant: str = "full",
) -> Table:
    """The registry's accountability table. ``variant='first'`` gives the smaller set of a first
    review; ``scale`` adds measurement moments until the table is about ``scale`` × as large."""
    variables = list(COMMON)
    if acronym in SURGICAL:
        variables += SURGERY
    variables += SPECIFIC[acronym]
    proms = PROMS.get(acronym, [])
    moments = MOMENTS[:3] if variant == "full" else MOMENTS[:1]
    for moment_code, moment in moments:
        for kind in proms:
            variables += _prom_block(kind, moment_code, moment)
    if variant == "first":
        variables = [v for v in variables if "instrument" not in v["purposes"]][:-4]
    target = len(variables) * scale
    extra_moment = len(moments)
    while proms and len(variables) < target:
        if extra_moment < len(MOMENTS):
            moment_code, moment = MOMENTS[extra_moment]
        else:
            moment_code, moment = f"F{extra_moment}", f"follow-upmeting {extra_moment}"
        extra_moment += 1
        for kind in proms:
            variables += _prom_block(kind, moment_code, moment)
    n = 1
    while len(variables) < target:  # registries without PROMs: extra clinical detail items
        for base in list(SPECIFIC[acronym]):
            if len(variables) >= target:
                break
            variables.append(
                {
                    **base,
                    "code": f"{base['code']}_D{n}",
                    "name": f"{base['name']} (detail {n})",
                    "indicators": [],
                }
            )
        n += 1
    indicator_codes = {code for code, _name, _kind in INDICATORS.get(acronym, [])}
    table_vars = []
    seen = set()
    for v in variables:
        if v["code"] in seen:
            continue
        seen.add(v["code"])
        necessity, proportionality, subsidiarity = _nps(v, registry_name)
        if "instrument" in v["purposes"]:
            requirements = {
                c: "plus" for c in categories if c in ("UMC", "STZ", "REV", "GGZ", "VZ")
            } or {categories[0]: "plus"}
        else:
            requirements = {c: "base" for c in categories}
            if v["ehr_source"] == "no" and "AMBU" in requirements and v["code"].startswith("EQ5D"):
                del requirements["AMBU"]
        table_vars.append(
            TableVariable(
                code=v["code"],
                name=v["name"],
                description=v["description"],
                data_type=v["data_type"],
                unit=v["unit"],
                code_system=v["code_system"],
                code_system_code=v["code_system_code"],
                purposes=list(v["purposes"]),
                indicators=[i for i in v["indicators"] if i in indicator_codes],
                personal_data=v["personal_data"],
                generalisation=v["generalisation"],
                necessity=necessity,
                proportionality=proportionality,
                subsidiarity=subsidiarity,
                ehr_source=v["ehr_source"],
                requirements=requirements,
            )
        )
    return Table(
        variables=table_vars,
        indicators=[
            TableIndicator(
                code=code, name=name, kind=kind, description=f"Indicator {name.lower()} ({kind})."
            )
            for code, name, kind in INDICATORS.get(acronym, [])
        ],
        pseudonym_requests=[
            TablePseudonym(type=t, justification=j) for t, j in PSEUDONYMS.get(acronym, [])
        ],
    )
