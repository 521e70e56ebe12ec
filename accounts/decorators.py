"""View preconditions for roles, and the one way a view sends a visitor to log in."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django_htmx.http import HttpResponseClientRedirect


def login_redirect(request, next_path: str | None = None):
    """To the log-in page and back to ``next_path`` (default: this page). An htmx request
    gets a full-page redirect (HX-Redirect): a fragment must never become the log-in page."""
    response = redirect_to_login(next_path or request.get_full_path())
    return HttpResponseClientRedirect(response.url) if getattr(request, "htmx", False) else response


def login_required(view):
    """Django's ``login_required``, with ``login_redirect`` for anonymous visitors."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def teacher_required(view):
    """Anonymous visitors go to log-in; signed-in non-teachers get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        if not request.user.is_teacher:
            raise PermissionDenied("This page is for teachers.")
        return view(request, *args, **kwargs)

    return wrapper
