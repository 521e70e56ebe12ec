"""Small filters for account pages."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes_in_words(value) -> str:
    """A duration as people say it ("15 minutes", "1 hour 30 minutes"); "" for anything else.
    django-axes gives its lockout page an ISO 8601 string ("PT15M") beside the timedelta."""
    if not isinstance(value, timedelta) or value.total_seconds() <= 0:
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
