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
