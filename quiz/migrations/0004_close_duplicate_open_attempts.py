"""Close duplicate open attempts, so that 0005 can allow only one per learner and quiz.

A migration of its own: on PostgreSQL, rows deleted in a transaction leave pending
foreign-key trigger events, and an index cannot be created in that same transaction.
"""

from django.db import migrations


def finish_duplicate_open_attempts(apps, schema_editor):
    """Before one open attempt per learner is enforced: keep the newest open one, close the others.

    Before this constraint a double click on "Start" could open two. An extra one
    with no answers is an empty artefact and is deleted; one with answers keeps them
    and becomes a finished attempt, as if the learner had stopped there.
    """
    Attempt = apps.get_model("quiz", "Attempt")
    Response = apps.get_model("quiz", "Response")
    seen = set()
    for attempt in list(Attempt.objects.filter(finished_at__isnull=True).order_by("-started_at", "-pk")):
        key = (attempt.quiz_id, attempt.learner_id, attempt.is_preview) if attempt.learner_id \
            else (attempt.quiz_id, None, attempt.guest_key)
        if key in seen:
            answered = Response.objects.filter(item__attempt_id=attempt.pk).order_by("-created_at").first()
            if answered is None:
                Attempt.objects.filter(pk=attempt.pk).delete()
            else:
                Attempt.objects.filter(pk=attempt.pk).update(finished_at=answered.created_at)
        seen.add(key)


class Migration(migrations.Migration):

    dependencies = [
        ("quiz", "0003_attemptscore_backfill"),
    ]

    operations = [
        migrations.RunPython(finish_duplicate_open_attempts, migrations.RunPython.noop),
    ]
