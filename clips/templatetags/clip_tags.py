"""The real/synthetic badge, one markup everywhere a label is shown (after the answer, or to
teachers), and tell-region coordinates for SVG overlays."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()
SYNTHETIC_BADGE = mark_safe('<span class="badge badge-synthetic">Synthetic</span>')
REAL_BADGE = mark_safe('<span class="badge badge-real">Real</span>')


@register.filter
def truth_badge(clip):
    """The clip's label as a badge: a word, not only a colour."""
    if clip.is_synthetic:
        return SYNTHETIC_BADGE
    return REAL_BADGE


@register.filter
def svg_units(value):
    """A relative coordinate (0..1) in a ``viewBox="0 0 100 100"`` SVG, to 0.01 of a percent."""
    try:
        return round(float(value) * 100, 2)
    except (TypeError, ValueError):
        return 0


@register.filter
def timeline(clip) -> list[tuple[float, float]]:
    """The clip's time regions on a 0..100 timeline of its duration: (x, width) each, clipped to
    the clip and at least a sliver wide, so a tell of an instant still shows."""
    duration = clip.duration_seconds or 0
    if duration <= 0:
        return []
    segments = []
    for r in clip.time_regions:
        try:
            start, end = max(0.0, float(r["start"])), min(duration, float(r["end"]))
        except (KeyError, TypeError, ValueError):
            continue
        if end >= start:
            segments.append((round(start / duration * 100, 2), max(0.5, round((end - start) / duration * 100, 2))))
    return segments
