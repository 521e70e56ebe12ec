"""Template helpers for the class pages: chart coordinates and the home-page summaries."""

from django import template

from classroom import analytics
from classroom.models import Classroom

register = template.Library()

BIAS_RANGE = 2.0  # the bias axis runs from -2 to +2; values beyond sit at the edge


@register.filter
def bias_x(value):
    """A criterion c as an x coordinate on a 0..100 axis."""
    if value is None:
        return 50
    c = max(-BIAS_RANGE, min(BIAS_RANGE, float(value)))
    return round((c + BIAS_RANGE) / (2 * BIAS_RANGE) * 100, 2)


@register.simple_tag
def bias_box(spread):
    """x coordinates of a box plot of the bias spread."""
    xs = {name: bias_x(getattr(spread, name)) for name in ("minimum", "q1", "median", "q3", "maximum")}
    xs["box_width"] = round(xs["q3"] - xs["q1"], 2)
    return xs


@register.filter
def signed(value, digits=2):
    if value is None:
        return "—"
    return f"{value:+.{int(digits)}f}".replace("-", "\u2212")


@register.filter
def bar_width(value, full=100):
    """A share (0..1) as a bar length on a ``full``-wide axis."""
    if value is None:
        return 0
    return round(max(0.0, min(1.0, float(value))) * float(full), 2)


@register.inclusion_tag("classroom/_my_work_summary.html")
def my_work_summary(user):
    groups = analytics.student_work(student=user)
    todo = [w for g in groups for w in g.works
            if w.status in (analytics.WorkStatus.NOT_STARTED, analytics.WorkStatus.IN_PROGRESS)
            or (w.status == analytics.WorkStatus.LATE and not w.is_finished)]
    todo.sort(key=lambda w: (w.assignment.due_at is None, w.assignment.due_at or w.assignment.opens_at))
    return {"todo": todo[:5], "n_todo": len(todo), "n_classes": len(groups)}


@register.inclusion_tag("classroom/_teacher_classes.html")
def teacher_classes(user):
    return {"classes": list(Classroom.objects.for_teacher(user).active().order_by("name")[:10])}
