from django.db import migrations

from hadir.common.append_only import protect


class Migration(migrations.Migration):
    dependencies = [("presence", "0007_device_reset_at"), ("common", "0003_audit_append_only")]

    operations = [protect("presence_punch"), protect("presence_refusal")]
