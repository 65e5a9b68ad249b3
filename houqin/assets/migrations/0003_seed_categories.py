"""Seed the GB/T 14885-2022 asset classes (data only; the schema is in 0001)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from houqin.assets.categories import load_categories

    load_categories(apps.get_model("assets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_name_trigram")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
