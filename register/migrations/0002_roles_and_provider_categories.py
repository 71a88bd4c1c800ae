"""Reference data: the role groups and the provider categories of DESIGN.md.

Categories stay data, not code: registries differ in them, and Zorginstituut can add more.
"""

from django.db import migrations

ROLES = ["registry", "igc", "dgc", "secretariat", "zin", "provider"]

CATEGORIES = [
    ("UMC", "Universitair medisch centrum"),
    ("STZ", "Topklinisch ziekenhuis (STZ)"),
    ("AZ", "Algemeen ziekenhuis"),
    ("ZBC", "Zelfstandig behandelcentrum"),
    ("CAT", "Categoraal ziekenhuis"),
    ("GGZ", "Instelling voor geestelijke gezondheidszorg"),
    ("REV", "Revalidatiecentrum"),
    ("VZ", "Instelling voor verslavingszorg"),
    ("AMBU", "Ambulancezorg en acute zorg"),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ProviderCategory = apps.get_model("register", "ProviderCategory")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for ordering, (code, name) in enumerate(CATEGORIES):
        ProviderCategory.objects.get_or_create(code=code, defaults={"name": name, "ordering": ordering})


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
