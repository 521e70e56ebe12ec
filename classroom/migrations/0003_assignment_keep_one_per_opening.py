"""Keep one assignment of the same quiz or lesson per class and opening, so that 0004 can require it.

A double click on "Assign" used to set the same work twice with the same opening.
Each such group keeps one assignment and the others are deleted. Attempts are not
linked to assignments (a class counts them by the quiz's windows), so no student's
work is lost. Kept: the one a post-test is paired with, else one that is a
post-test, else the newest, where the group's attempts already counted (windows
that open together are ordered by id, leaving the older ones empty). A post-test whose
pre-test is deleted (when both copies were paired) becomes ordinary work, which its
teacher can still edit.

A migration of its own: on PostgreSQL, rows deleted in a transaction leave pending
foreign-key trigger events, and a constraint cannot be added in that same transaction.
"""

from django.db import migrations, models


def keep_one_per_opening(apps, schema_editor):
    Assignment = apps.get_model("classroom", "Assignment")
    for field in ("quiz_id", "lesson_id"):
        groups = (Assignment.objects.filter(**{f"{field}__isnull": False})
                  .values("classroom_id", field, "opens_at").annotate(n=models.Count("pk")).filter(n__gt=1)
                  .order_by())
        for group in groups:
            rows = list(Assignment.objects.filter(classroom_id=group["classroom_id"], opens_at=group["opens_at"],
                                                  **{field: group[field]}))
            paired = set(Assignment.objects.filter(pre__in=rows).values_list("pre_id", flat=True))
            keeper = max(rows, key=lambda a: (a.pk in paired, a.pre_id is not None, a.pk))
            gone = [a.pk for a in rows if a.pk != keeper.pk]
            # A post-test whose pre-test goes (both copies were paired) stays as ordinary work.
            Assignment.objects.filter(pre__in=gone).update(pre=None, kind="regular")
            Assignment.objects.filter(pk__in=gone).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("classroom", "0002_exportjob_status_removed"),
    ]

    operations = [
        migrations.RunPython(keep_one_per_opening, migrations.RunPython.noop),
    ]
