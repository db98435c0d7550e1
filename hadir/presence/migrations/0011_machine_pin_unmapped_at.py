"""A PIN taken off the map keeps its holder and is marked ``unmapped_at`` (0010 nulled the
holder instead, losing who had it; no such row exists outside tests, and one without a holder
cannot be given back, so any is dropped)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_holderless(apps, schema_editor):
    apps.get_model("presence", "MachinePin").objects.filter(employee=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_grant_ended"),
        ("presence", "0010_machine_pin_unmapped"),
    ]

    operations = [
        migrations.RunPython(drop_holderless, migrations.RunPython.noop),
        migrations.AddField(
            model_name="machinepin",
            name="unmapped_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="taken off the map at"
            ),
        ),
        migrations.AlterField(
            model_name="machinepin",
            name="employee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="org.employee",
            ),
        ),
    ]
