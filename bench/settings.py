"""Settings for bench/quiz_load.py: the app's settings plus the bench-only ping view.

The ping view lives only in ``bench.urls``; the app's own URLconf never has it.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "ERROR"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several gunicorn processes share one file: wait for the write lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
