"""Make private the shared synthetic likenesses of real people whose consent record is partial, so that
0005 can require a whole one.

The database used to accept a consent record with only the subject's name (the admin saved one),
while the app's form asked for who, obtained by whom, and when. Such a clip becomes "Only me": it
is kept, with its record, and its owner or an admin can share it again once the record is whole.
Clips with a research-dataset basis are left as they are.
"""

from django.db import migrations
from django.db.models import Q


def make_partial_consent_private(apps, schema_editor):
    Clip = apps.get_model("clips", "Clip")
    partial = Q(consent_subject="") | Q(consent_obtained_by="") | Q(consent_date__isnull=True)
    (Clip.objects.filter(partial, truth="synthetic", depicts_real_person=True, research_basis="")
     .exclude(visibility="private").update(visibility="private"))


class Migration(migrations.Migration):

    dependencies = [
        ("clips", "0003_importjob_warnings"),
    ]

    operations = [
        migrations.RunPython(make_partial_consent_private, migrations.RunPython.noop),
    ]
