from django.db import migrations

ADVOCATES = "advocates"  # compliance.roles.ADVOCATES, copied: migrations must not import app code that changes


def create_advocates_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ADVOCATES)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_letters_and_ag_office_accounts")]

    operations = [migrations.RunPython(create_advocates_group, migrations.RunPython.noop)]
