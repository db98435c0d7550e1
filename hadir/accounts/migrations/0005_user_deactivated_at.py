"""When an account was last saved deactivated: part of the password-reset token, so that a
link mailed before the account was closed stays dead once it is reopened."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="deactivated_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last deactivated at"
            ),
        ),
    ]
