"""The app's URLs plus a trivial view behind the same middleware, for bench/quiz_load.py only."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def bench_ping(request):
    # Reads request.user so the session and user lookups happen, as on every app page.
    return HttpResponse("ok" if request.user.is_authenticated else "anonymous", content_type="text/plain")


urlpatterns = [path("bench/ping/", bench_ping, name="bench_ping"), *app_urlpatterns]
