"""Backfill ``AttemptScore`` from the responses stored before running scores existed.

The same sums as ``services.attempt_scores_rebuild``, written against the historical
models (a migration must not import today's service). Attempts are taken in batches
so a large table is read in bounded steps.
"""

from django.db import migrations
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

BATCH = 2000
UNASKED_CONFIDENCE = 100  # quiz.scoring.UNASKED_CONFIDENCE when this was written


def backfill(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptScore = apps.get_model("quiz", "AttemptScore")
    Response = apps.get_model("quiz", "Response")
    fake = Q(item__clip__truth="synthetic")
    real = Q(item__clip__truth="real")
    right = (fake & Q(answered_fake=True)) | (real & Q(answered_fake=False))
    sure = Coalesce(F("confidence"), Value(UNASKED_CONFIDENCE))
    aggregates = {
        "n": Count("pk"),
        "n_fake": Count("pk", filter=fake),
        "hits": Count("pk", filter=fake & Q(answered_fake=True)),
        "false_alarms": Count("pk", filter=real & Q(answered_fake=True)),
        "brier_e4": Sum(Case(When(right, then=(Value(100) - sure) * (Value(100) - sure)), default=sure * sure)),
    }
    ids = list(Attempt.objects.filter(items__response__isnull=False).values_list("pk", flat=True)
               .distinct().order_by("pk"))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        AttemptScore.objects.filter(attempt_id__in=batch).delete()
        rows = (
            Response.objects.filter(item__attempt_id__in=batch)
            .values(attempt_ref=F("item__attempt_id"), technique_ref=F("item__clip__technique"))
            .annotate(**aggregates).order_by()
        )
        AttemptScore.objects.bulk_create(
            [AttemptScore(attempt_id=row.pop("attempt_ref"), technique=row.pop("technique_ref"), **row)
             for row in rows],
            batch_size=1000,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("quiz", "0002_attemptscore"),
        ("clips", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
