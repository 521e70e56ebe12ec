"""Import keys per owner: "dataset:path" was shared by every teacher, so a second teacher's
photo1.jpg was "already imported" and could be linked to the first teacher's private clip.
Each key gets its owner's id in front ("site" for clips without one); the demo pack's "demo:"
keys are the demo loader's own and stay as they are."""

from django.db import migrations


def per_owner(apps, schema_editor):
    Clip = apps.get_model("clips", "Clip")
    imported = Clip.objects.exclude(import_key=None).exclude(import_key__startswith="demo:")
    for clip in imported.only("pk", "owner_id", "import_key"):
        owner = clip.owner_id if clip.owner_id is not None else "site"
        Clip.objects.filter(pk=clip.pk).update(import_key=f"{owner}:{clip.import_key}")


def shared(apps, schema_editor):
    Clip = apps.get_model("clips", "Clip")
    for clip in Clip.objects.exclude(import_key=None).exclude(import_key__startswith="demo:").only("pk", "import_key"):
        Clip.objects.filter(pk=clip.pk).update(import_key=clip.import_key.split(":", 1)[1])


class Migration(migrations.Migration):
    dependencies = [("clips", "0005_clip_whole_consent_to_share")]
    operations = [migrations.RunPython(per_owner, shared)]
