"""Small formatting filters for quiz pages (percentages, time left), and the reveal's clip
part, rendered once per clip and process."""

from django import template
from django.db.models.fields.files import FieldFile
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from clips.templatetags.clip_tags import svg_units
from quiz import tells
from quiz.models import CLIP_REVEAL_FIELDS

register = template.Library()

REVEAL_CLIP_CACHE_SIZE = 512
_reveal_clip_cache: dict[tuple, SafeString] = {}
_POINT_SLOT = mark_safe("<!--learner-point-->")


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


def _reveal_clip_key(clip) -> tuple:
    """What the clip part of a reveal is made of: a clip edited in any way gets a new key.

    Files count by their URL, not their name: a storage that signs URLs (S3 with query
    string auth) gives a new URL each time, so its reveals are never served with an
    expired one (they simply miss the cache)."""
    values = []
    for name in CLIP_REVEAL_FIELDS:
        value = getattr(clip, name)
        if isinstance(value, FieldFile):
            values.append(value.url if value else "")
        else:
            values.append(repr(value))
    # Numbers in it are localised: the language is part of what it is made of.
    return (clip.pk, get_language(), *values)


@register.simple_tag
def clip_reveal(clip, response=None, heading_level=3) -> SafeString:
    """The reveal's part about the clip (facts, media with its tells, explanation, provenance,
    forensic view), with the learner's point, if any, drawn over the tells; its headings at
    ``heading_level`` (one below the item's own heading).

    Every learner who answers a clip sees the same part, so it is rendered once per clip and
    process (a quarter of an answer's time went to it) and kept under a key made of the
    fields it shows, so an edited clip is rendered anew. Being keyed by content, it holds no
    state (DESIGN.md, Runtime): every process would render the same bytes for the same key."""
    key = (*_reveal_clip_key(clip), heading_level)
    html = _reveal_clip_cache.get(key)
    if html is None:
        html = get_template("quiz/attempt_take.html#reveal-clip").render(
            {"clip": clip, "point_slot": _POINT_SLOT, "heading_level": heading_level})
        if len(_reveal_clip_cache) >= REVEAL_CLIP_CACHE_SIZE:
            _reveal_clip_cache.clear()
        _reveal_clip_cache[key] = html
    point = ""
    if response is not None and response.point_x is not None:
        point = format_html('<circle class="learner-point" r="2.5" cx="{}" cy="{}"></circle>',
                            svg_units(response.point_x), svg_units(response.point_y))
    elif response is not None and response.grid_cell:
        # A part of the frame chosen by keyboard is drawn too, as a click is.
        x, y, w, h = tells.cell_box(response.grid_cell)
        point = format_html('<rect class="learner-point" x="{}" y="{}" width="{}" height="{}"></rect>',
                            svg_units(x), svg_units(y), svg_units(w), svg_units(h))
    return mark_safe(html.replace(_POINT_SLOT, point, 1))
