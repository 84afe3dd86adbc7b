"""Seed the reference data every installation needs: OIA withholding grounds and Cabinet committees."""

import datetime

from django.db import migrations

from cabinet.grounds import GROUNDS

# (code, name, valid from, valid to). Committees are restructured after elections and codes reused:
# a clerk corrects or extends these in the admin.
COMMITTEES = [
    ("CAB", "Cabinet", "1900-01-01", None),
    ("ECO", "Cabinet Economic Policy Committee", "2023-11-27", None),
    ("FPS", "Cabinet Foreign Policy and National Security Committee", "2023-11-27", None),
    ("SOU", "Cabinet Social Outcomes Committee", "2023-11-27", None),
    ("EXP", "Cabinet Expenditure and Regulatory Review Committee", "2023-11-27", None),
    ("LEG", "Cabinet Legislation Committee", "2008-11-19", None),
    ("APH", "Cabinet Appointments and Honours Committee", "2008-11-19", None),
    ("CBC", "Cabinet Business Committee", "2008-11-19", None),
    ("DEV", "Cabinet Economic Development Committee", "2017-10-26", "2023-11-26"),
    ("ENV", "Cabinet Environment, Energy and Climate Committee", "2017-10-26", "2023-11-26"),
    ("ERS", "Cabinet External Relations and Security Committee", "2017-10-26", "2023-11-26"),
    ("GOV", "Cabinet Government Administration and Expenditure Review Committee", "2017-10-26", "2023-11-26"),
    ("SWC", "Cabinet Social Wellbeing Committee", "2017-10-26", "2023-11-26"),
    ("SOC", "Cabinet Social Policy Committee", "2008-11-19", "2017-10-25"),
    ("ERD", "Cabinet External Relations and Defence Committee", "2008-11-19", "2017-10-25"),
    ("NSC", "Cabinet National Security Committee", "2014-10-08", "2017-10-25"),
]


def seed(apps, schema_editor):
    OIAGround = apps.get_model("cabinet", "OIAGround")
    Committee = apps.get_model("cabinet", "Committee")
    for ground in GROUNDS:
        OIAGround.objects.update_or_create(
            code=ground.code,
            defaults={"label": ground.label, "wording": ground.wording, "is_conclusive": ground.is_conclusive},
        )
    for code, name, valid_from, valid_to in COMMITTEES:
        Committee.objects.update_or_create(
            code=code,
            valid_from=datetime.date.fromisoformat(valid_from),
            defaults={
                "name": name,
                "valid_to": valid_to and datetime.date.fromisoformat(valid_to),
                "is_cabinet": code == "CAB",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cabinet", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
