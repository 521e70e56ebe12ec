"""Small formatting filters for quiz pages (SVG coordinates, percentages)."""

from django import template

register = template.Library()


@register.filter
def svg_units(value):
    """A relative coordinate (0..1) in a ``viewBox="0 0 100 100"`` SVG."""
    try:
        return round(float(value) * 100, 2)
    except (TypeError, ValueError):
        return 0


@register.filter
def percent(value):
    if value is None:
        return "—"
    return f"{round(value * 100)} %"


@register.filter
def number(value, digits=2):
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def time_left(seconds):
    """Seconds left as the countdown in quiz.js words them, so the page reads the same without it."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds >= 120:
        return f"{-(-seconds // 60)} minutes left"
    if seconds >= 60:
        return f"1 minute {seconds - 60} seconds left"
    return f"{seconds} second left" if seconds == 1 else f"{seconds} seconds left"
