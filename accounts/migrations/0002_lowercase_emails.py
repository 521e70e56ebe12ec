"""Addresses in lower case, as sign-up always stored them and ``User.save`` now stores every one.

Accounts made in the admin could keep capitals ("Tess.Teacher@School.org") and then never log in,
since log-in compared the address exactly. An address whose lower-case form another account
already holds is left as it is (two accounts, one person): an admin merges or deletes one."""

from django.db import migrations


def lowercase(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all().only("pk", "email"):
        lower = user.email.strip().lower()
        if lower != user.email and not User.objects.filter(email=lower).exclude(pk=user.pk).exists():
            User.objects.filter(pk=user.pk).update(email=lower)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(lowercase, migrations.RunPython.noop)]
