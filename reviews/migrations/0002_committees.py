from django.db import migrations

COMMITTEES = [
    ("IGC", "Inhouds-governancecommissie", "igc"),
    ("DGC", "Data-governancecommissie", "dgc"),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Committee = apps.get_model("reviews", "Committee")
    for code, name, group_name in COMMITTEES:
        group, _ = Group.objects.get_or_create(name=group_name)
        Committee.objects.get_or_create(code=code, defaults={"name": name, "group": group})


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial"), ("register", "0002_roles_and_provider_categories")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
