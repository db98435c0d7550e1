from django.db import migrations

from hadir.common.append_only import protect


class Migration(migrations.Migration):
    dependencies = [("common", "0002_cache_generation")]

    operations = [protect("common_auditevent")]
