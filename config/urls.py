"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views
from clips import views as clip_views

urlpatterns = [
    path("", account_views.landing, name="landing"),
    path("home/", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("learn/", include("lessons.urls")),
    path("clips/", include("clips.urls")),
    path("admin/", admin.site.urls),
    path("quiz/", include("quiz.urls")),
    path("classes/", include("classroom.urls")),
    # Renditions only; originals have no URL. Production may serve MEDIA_URL from object storage instead.
    re_path(r"^media/(?P<path>.+)$", clip_views.media_file, name="media"),
]
