"""The four work patterns of the circular (DOMAIN.md §3) and the §5 policy values.

Both come from the rules library's defaults, so the figures live in one place. Effective from
1 March 2024, the date the circular takes effect.
"""

from datetime import date

from django.db import migrations

EFFECTIVE_FROM = date(2024, 3, 1)


def seed(apps, schema_editor):
    from hadir.rules.patterns import DEFAULT_PATTERNS
    from hadir.rules.policy import DEFAULT_POLICY, policy_to_values

    WorkPattern = apps.get_model("schedules", "WorkPattern")
    PatternDay = apps.get_model("schedules", "PatternDay")
    PolicyValue = apps.get_model("schedules", "PolicyValue")
    for code, pattern in DEFAULT_PATTERNS.items():
        row, _ = WorkPattern.objects.get_or_create(
            code=code, defaults={"name": pattern.name, "flexible_break": pattern.flexible_break}
        )
        for weekday, hours in enumerate(pattern.days):
            if hours is not None:
                PatternDay.objects.get_or_create(
                    pattern=row,
                    weekday=weekday,
                    defaults={
                        "start": hours.start,
                        "end": hours.end,
                        "break_start": hours.break_start,
                        "break_end": hours.break_end,
                    },
                )
    for key, value in policy_to_values(DEFAULT_POLICY).items():
        PolicyValue.objects.get_or_create(
            key=key,
            effective_from=EFFECTIVE_FROM,
            defaults={"value": value, "note": "SE Kankemenag Sleman 29-02-2024; DOMAIN.md §5"},
        )


class Migration(migrations.Migration):
    dependencies = [("schedules", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
