"""The year a sanction's decree judges: until now read off the decree's date, which a January
decree for the year before does not give."""

from django.db import migrations, models
from django.db.models.functions import ExtractYear


def from_the_decree_date(apps, schema_editor):  # type: ignore[no-untyped-def]
    decisions = apps.get_model("recap", "SanctionDecision")
    decisions.objects.update(for_year=ExtractYear("decided_on"))


class Migration(migrations.Migration):
    dependencies = [("recap", "0011_sanction_decision")]

    operations = [
        migrations.AddField(
            model_name="sanctiondecision",
            name="for_year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(from_the_decree_date, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sanctiondecision",
            name="for_year",
            field=models.PositiveSmallIntegerField(
                help_text=(
                    "The year whose days not at work the decree judges (a January decree may"
                    " judge the year before)."
                ),
                verbose_name="year assessed",
            ),
        ),
    ]
