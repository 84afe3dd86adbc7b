"""Each follow-up carries its decision's minute (indexed), so need-to-know looks it up instead of joining."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# PostgreSQL holds follow-up.minute = decision.minute itself: a composite foreign key to the decision item's
# (id, minute_id), which follows an item moved to another minute (ON UPDATE CASCADE).
CONSTRAINT_SQL = [
    "ALTER TABLE decisions_decisionitem ADD CONSTRAINT decisions_decisionitem_unique_id_minute UNIQUE (id, minute_id)",
    "ALTER TABLE decisions_followup ADD CONSTRAINT decisions_followup_minute_matches_decision"
    " FOREIGN KEY (decision_id, minute_id) REFERENCES decisions_decisionitem (id, minute_id)"
    " ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED",
]
DROP_SQL = [
    "ALTER TABLE decisions_followup DROP CONSTRAINT decisions_followup_minute_matches_decision",
    "ALTER TABLE decisions_decisionitem DROP CONSTRAINT decisions_decisionitem_unique_id_minute",
]


def fill_minutes(apps, schema_editor):
    DecisionItem = apps.get_model("decisions", "DecisionItem")
    for name in ("FollowUp", "HistoricalFollowUp"):
        apps.get_model("decisions", name).objects.update(
            minute_id=Subquery(DecisionItem.objects.filter(pk=OuterRef("decision_id")).values("minute_id")[:1])
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before the ALTER TABLE below


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CONSTRAINT_SQL:
            schema_editor.execute(statement)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("cabinet", "0003_ground_ba"),
        ('decisions', '0003_followup_verbose_name'),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="minute",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="follow_ups",
                to="cabinet.minute",
            ),
        ),
        migrations.AddField(
            model_name="historicalfollowup",
            name="minute",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="cabinet.minute",
            ),
        ),
        migrations.RunPython(fill_minutes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="followup",
            name="minute",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="follow_ups",
                to="cabinet.minute",
            ),
        ),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
