from django.db import migrations

MODERATORS = "moderators"  # compliance.roles.MODERATORS, copied: migrations must not import app code that changes


def create_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=MODERATORS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("compliance", "0002_volunteer_observations"),
    ]

    operations = [migrations.RunPython(create_moderators_group, migrations.RunPython.noop)]
