"""Template context shared by every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """Expose django-csp's nonce under both names.

    django-csp's own processor calls it ``CSP_NONCE``; django-htmx's
    ``{% htmx_script %}`` reads ``csp_nonce``. The value stays lazy so pages
    that render no script do not force a nonce into the header.
    """
    nonce = getattr(request, "csp_nonce", "")
    return {"csp_nonce": nonce, "CSP_NONCE": nonce}


def roles(request: HttpRequest) -> dict[str, object]:
    """``is_teacher`` for the navigation, looked up only when a template reads it.

    Context processors run for every render, htmx partials included, and most
    partials never show the navigation; the answer to a quiz item should not pay for
    a groups query. ``User.is_teacher`` caches it for the rest of the request.
    """
    user = getattr(request, "user", None)
    return {"is_teacher": SimpleLazyObject(lambda: bool(user and user.is_authenticated and user.is_teacher))}
