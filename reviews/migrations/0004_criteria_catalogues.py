"""Version 1 of each committee's criteria catalogue per stage, seeded from DOMAIN.md.

Catalogue content is data, in Dutch as the committees publish it; the secretariat changes it by
publishing a new version in the portal.
"""

from django.db import migrations
from django.utils import timezone

# (code, title, description, minimum requirement, growth path, knock-out)
IGC_FIRST = [
    (
        "IGC-1",
        "Doel en meerwaarde voor de kwaliteit van zorg",
        "De registratie draagt aantoonbaar bij aan leren en verbeteren en aan samen beslissen.",
        "",
        "",
        False,
    ),
    (
        "IGC-2",
        "Registratiehouder zonder winstoogmerk, enige verwerkingsverantwoordelijke",
        "De registratiehouder is een rechtspersoon zonder winstoogmerk en enige "
        "verwerkingsverantwoordelijke van de registratie.",
        "",
        "",
        True,
    ),
    (
        "IGC-3",
        "Draagvlak",
        "Draagvlak bij patiënten, zorgverleners, zorgaanbieders en zorgverzekeraars.",
        "",
        "",
        False,
    ),
    (
        "IGC-4",
        "Governance van registratiehouder en verwerker",
        "Bestuur, toezicht en rolverdeling tussen registratiehouder en verwerker.",
        "",
        "",
        False,
    ),
    (
        "IGC-5",
        "Aanlevering, verwerking en terugkoppeling",
        "Wijze van aanleveren, verwerken en terugkoppelen aan zorgaanbieders en zorgverleners.",
        "",
        "",
        False,
    ),
    (
        "IGC-6",
        "Indicatoren en casemix",
        "Indicatoren zijn onderbouwd; de casemixcorrectie is beschreven.",
        "",
        "",
        False,
    ),
]
IGC_SUPPLEMENTARY = IGC_FIRST + [
    (
        "IGC-7",
        "Verantwoording van elke variabele (NPS)",
        "Noodzakelijkheid, proportionaliteit en subsidiariteit per variabele, per indicator, per "
        "categorie zorgaanbieders en voor het geheel; inclusief administratieve last, bijdrage aan "
        "de kwaliteit van zorg en besteding van publieke middelen.",
        "",
        "",
        False,
    ),
    (
        "IGC-8",
        "Vergelijking met de variabelenset van de eerste toets",
        "Verschillen tussen de variabelenset van de eerste toets en die van de aanvullende toets "
        "zijn verklaard.",
        "",
        "",
        False,
    ),
    (
        "IGC-9",
        "Deelnameovereenkomst en implementatieplan",
        "Ten minste één getekende deelnameovereenkomst met een zorgaanbieder en een "
        "implementatieplan voor de overige zorgaanbieders.",
        "",
        "",
        True,
    ),
]
DGC_FIRST = [
    (
        "DGC-1",
        "Verwerkersovereenkomst (AVG art. 28 lid 3)",
        "Er is een verwerkersovereenkomst met elke verwerker.",
        "Getekende verwerkersovereenkomst.",
        "",
        True,
    ),
    (
        "DGC-2",
        "Functionaris gegevensbescherming (AVG art. 37)",
        "Een functionaris gegevensbescherming is aangesteld waar de AVG dat vereist.",
        "FG aangesteld en aangemeld bij de AP waar verplicht.",
        "",
        True,
    ),
    (
        "DGC-3",
        "Privacy en informatiebeveiliging",
        "Beveiliging van de verwerking en toegang tot de gegevens.",
        "Beleid informatiebeveiliging vastgesteld.",
        "Certificering NEN 7510 / ISO 27001.",
        False,
    ),
    (
        "DGC-4",
        "Gebruik van standaarden",
        "Variabelen zijn gekoppeld aan codestelsels (ZIB, SNOMED CT, LOINC, ...).",
        "Codestelsel benoemd voor de kernvariabelen.",
        "Hergebruik uit het EPD via zibs voor alle variabelen.",
        False,
    ),
    (
        "DGC-5",
        "Pseudonimisering en aanlevering",
        "Gegevens worden bij de bron gepseudonimiseerd; direct identificerende gegevens worden "
        "niet in de registratie verwerkt.",
        "Pseudonimisering bij de bron beschreven.",
        "Aansluiting op een landelijke pseudonimiseringsvoorziening.",
        False,
    ),
]
DGC_SUPPLEMENTARY = DGC_FIRST + [
    (
        "DGC-6",
        "DPIA en onafhankelijke beoordeling",
        "Een DPIA is uitgevoerd en beoordeeld door een onafhankelijke deskundige (niet de eigen FG).",
        "DPIA en onafhankelijke beoordeling ingediend.",
        "",
        True,
    ),
    (
        "DGC-7",
        "Noodzakelijkheid, proportionaliteit en subsidiariteit per variabele",
        "Elke variabele is noodzakelijk, proportioneel en subsidiair; generalisatie waar mogelijk "
        "(geboortejaar in plaats van geboortedatum, postcode-4 in plaats van postcode-6).",
        "Onderbouwing per variabele.",
        "Periodieke herbeoordeling van de variabelenset.",
        False,
    ),
    (
        "DGC-8",
        "BSN en pseudoniem type B",
        "Pseudoniem type B alleen waar de wet verwerking van het BSN toestaat.",
        "Geen type B zonder wettelijke grondslag.",
        "",
        True,
    ),
]
CATALOGUES = {
    ("IGC", "first"): IGC_FIRST,
    ("IGC", "supplementary"): IGC_SUPPLEMENTARY,
    ("DGC", "first"): DGC_FIRST,
    ("DGC", "supplementary"): DGC_SUPPLEMENTARY,
}


def forwards(apps, schema_editor):
    Committee = apps.get_model("reviews", "Committee")
    CriteriaCatalogue = apps.get_model("reviews", "CriteriaCatalogue")
    Criterion = apps.get_model("reviews", "Criterion")
    now = timezone.now()
    for (committee_code, stage), rows in CATALOGUES.items():
        committee = Committee.objects.get(code=committee_code)
        catalogue, created = CriteriaCatalogue.objects.get_or_create(
            committee=committee,
            stage=stage,
            version=1,
            defaults={"published_at": now, "note": "Eerste versie."},
        )
        if not created:
            continue
        Criterion.objects.bulk_create(
            Criterion(
                catalogue=catalogue,
                code=code,
                title=title,
                description=description,
                minimum_requirement=minimum,
                growth_path=growth,
                knockout=knockout,
                position=index,
            )
            for index, (code, title, description, minimum, growth, knockout) in enumerate(
                rows, start=1
            )
        )


def backfill_reviews(apps, schema_editor):
    """Existing reviews: the submitted version, the first catalogue; existing advice was final."""
    Review = apps.get_model("reviews", "Review")
    CriteriaCatalogue = apps.get_model("reviews", "CriteriaCatalogue")
    Advice = apps.get_model("reviews", "Advice")
    for review in Review.objects.select_related("submission"):
        stage = "first" if review.submission.stage == "first" else "supplementary"
        review.dataset_version_id = review.submission.dataset_version_id
        review.catalogue = CriteriaCatalogue.objects.get(
            committee_id=review.committee_id, stage=stage, version=1
        )
        review.save(update_fields=["dataset_version", "catalogue"])
    Advice.objects.update(status="definitive")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_review_in_depth")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(backfill_reviews, migrations.RunPython.noop),
    ]
