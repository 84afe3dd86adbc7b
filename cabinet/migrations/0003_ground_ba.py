"""Seed the withholding ground 9(2)(ba) as printed without its limb."""

from django.db import migrations


def seed(apps, schema_editor):
    from cabinet.grounds import BY_CODE

    ground = BY_CODE["9(2)(ba)"]
    apps.get_model("cabinet", "OIAGround").objects.update_or_create(
        code=ground.code, defaults={"label": ground.label, "wording": ground.wording, "is_conclusive": False}
    )


class Migration(migrations.Migration):
    dependencies = [("cabinet", "0002_reference_data")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
