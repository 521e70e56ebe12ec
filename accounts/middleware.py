"""Sending an htmx request to log in as a whole page."""

from django.conf import settings
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """A redirect to the log-in page answering an htmx request becomes an ``HX-Redirect``:
    htmx would otherwise follow it and swap the log-in page into a fragment (a clip's
    polled status, a quiz item). Covers every way a view sends a visitor to log in:
    Django's ``login_required``, ``redirect_to_login``, ``teacher_required``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (301, 302) and getattr(request, "htmx", False):
            location = response.get("Location", "")
            if location.split("?", 1)[0] == resolve_url(settings.LOGIN_URL):
                return HttpResponseClientRedirect(location)
        return response
