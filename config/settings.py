"""Settings for Second Look, one module configured from environment variables.

With no environment set, the app runs on the embedded default: SQLite and media
under ``var/``, Celery tasks run eagerly. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DEBUG=false``; README.md
lists every variable read here.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env(
    "SECRET_KEY",
    # The fallback is only for the embedded default; production sets its own.
    default="insecure-embedded-default-key-change-me-in-production-0123456789abcdef",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "csp",
    "axes",
    "django_ratelimit",
    "accounts",
    "clips",
    "lessons",
    "quiz",
    "classroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.HtmxLoginRedirectMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.csp_nonce",
                "config.context_processors.roles",
            ],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so a real Celery worker process can open the test database.
    # One file per test run, so two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        # Several processes (web workers, a Celery worker) share the file. WAL lets
        # readers go on while one writer commits; synchronous=NORMAL is durable in
        # WAL mode except for the last commits on a power cut. IMMEDIATE takes the
        # write lock when a transaction begins, so two writers queue on the busy
        # timeout instead of one failing with "database is locked" on upgrade.
        # mmap: after another process commits, pages are read through the mapping instead
        # of a read() each (bench/quiz_load.py: answer CPU 2.67 -> 2.27 ms, pings 0.99 -> 0.9 ms).
        # The price (SQLite's docs): a disk I/O error on a mapped page kills the process
        # instead of failing the query; fine for the embedded default, production is PostgreSQL.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
# Persistent connections: a new SQLite connection costs about 1 ms (open, pragmas, schema,
# statements prepared again), a PostgreSQL one more. Measured with bench/quiz_load.py on
# SQLite: pings 515 -> 762/s, answers 208 -> 231/s.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Not server_side_binding: Django 5.2 does not split queries at PostgreSQL's 65,535
    # bound parameters, so deleting a large class (one IN list per related table) would fail.
# The answer path's own statements (quiz/sql.py) bind on the server and are prepared after
# this many runs on a connection. Behind a pooler that cannot keep prepared statements
# (PgBouncer in transaction mode, unless 1.22 or newer with max_prepared_statements above 0),
# set PG_PREPARE_THRESHOLD=off.
_prepare = env("PG_PREPARE_THRESHOLD", default="5").strip().lower()
if _prepare not in ("off", "none", "") and not _prepare.isdigit():
    raise ImproperlyConfigured(f"PG_PREPARE_THRESHOLD is a number of runs or 'off', not {_prepare!r}.")
ANSWER_PREPARE_THRESHOLD = int(_prepare) if _prepare.isdigit() else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses log-ins while an account/address pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, taking the learner's row from the answer's own query (accounts/backends.py).
    # Sessions name the backend that logged them in: accounts 0003 rewrote those naming Django's.
    "accounts.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.models.axes_username"
# The client's address behind the declared proxies, as the rate limits read it: without django-ipware
# axes would count every log-in by the load balancer's address (one person's typos locking out all).
AXES_CLIENT_IP_CALLABLE = "config.ratelimits.client_ip"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
# Originals uploaded by teachers are never served: they live outside MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "clips.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Object storage for several machines (README, "Deployment on several machines"):
# with AWS_STORAGE_BUCKET_NAME set, renditions and originals live in S3 (or an
# S3-compatible store) through django-storages, which is then required; it is not
# in requirements.txt because the embedded default does not use it. Objects are
# private: learners get short-lived signed URLs for renditions, and nothing ever
# asks for an original's URL. boto3 finds credentials itself (AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY, or the machine's role).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
MEDIA_ORIGINS: list[str] = []
if AWS_STORAGE_BUCKET_NAME:
    from importlib.util import find_spec
    from urllib.parse import urlsplit

    if find_spec("storages") is None or find_spec("boto3") is None:
        # Falling back to local disk would lose media between machines; stop instead.
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME is set, so media goes to S3: pip install 'django-storages[s3]'."
        )
    _s3 = {
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
        "file_overwrite": False,
    }
    _custom_domain = env("AWS_S3_CUSTOM_DOMAIN", default=None)
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "bucket_name": AWS_STORAGE_BUCKET_NAME, "location": "media",
                    "custom_domain": _custom_domain},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        # Never a custom domain (a CDN) for originals: they are not served at all.
        "OPTIONS": {**_s3, "bucket_name": env("AWS_PRIVATE_BUCKET_NAME", default=AWS_STORAGE_BUCKET_NAME),
                    "location": "private", "custom_domain": None},
    }
    # Pages load renditions from the bucket (or the CDN in front of it): the CSP must allow that origin.
    if _custom_domain:
        _origins = [f"https://{_custom_domain}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        _origins = [f"{_endpoint.scheme}://{_endpoint.netloc}",
                    f"{_endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{_endpoint.netloc}"]
    else:
        _region = _s3["region_name"]
        _origins = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if _region:
            _origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_region}.amazonaws.com")
    MEDIA_ORIGINS = env.list("MEDIA_ORIGINS", default=_origins)

# Redis: Celery broker and the Django cache. Unset means the embedded default.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, for IGNORE_EXCEPTIONS: with Redis down the cache misses
            # instead of failing the page (rate limits then fail open).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-ratelimit counts in the cache. The embedded default is one process, so a
# local-memory cache is enough there; production shares counts through Redis.
RATELIMIT_VIEW = "config.views.rate_limited"
# Counted by the client's address behind the load balancer, not the balancer's (AXES_PROXY_COUNT).
RATELIMIT_IP_META_KEY = "config.ratelimits.client_ip"
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
# A web request that enqueues while Redis is down gives up quickly; the clip stays
# pending and the sweeper sends it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
RATELIMIT_FAIL_OPEN = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"clips.*": {"queue": "media"}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clips-sweep-stuck": {"task": "clips.tasks.clip_sweep_stuck", "schedule": 300.0},
    "exports-sweep-stuck": {"task": "classroom.tasks.export_jobs_sweep_stuck", "schedule": 600.0},
    "imports-sweep-stuck": {"task": "clips.tasks.import_jobs_sweep_stuck", "schedule": 600.0},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Second Look <noreply@localhost>")

# Security: production turns these on through the environment.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

for _directive in ("img-src", "media-src"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += MEDIA_ORIGINS

# Media limits (clips app). Defaults from the clip-library issue.
CLIP_IMAGE_MAX_BYTES = env.int("CLIP_IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
CLIP_IMAGE_MAX_PIXELS = env.int("CLIP_IMAGE_MAX_PIXELS", default=40_000_000)
CLIP_AV_MAX_BYTES = env.int("CLIP_AV_MAX_BYTES", default=200 * 1024 * 1024)
CLIP_AV_MAX_SECONDS = env.int("CLIP_AV_MAX_SECONDS", default=120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
