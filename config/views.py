"""Project-wide views: the page shown when a rate limit is hit."""

from django.shortcuts import render


def rate_limited(request, exception=None):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response
