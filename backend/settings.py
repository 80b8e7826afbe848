"""SignWatch settings, read from the environment.

Every variable is documented in .env.example. A bad value fails loudly at start-up rather than running a
misconfigured instance: volunteers' safety depends on production settings being what the operator meant.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def envbool(name: str, default: bool) -> bool:
    """A yes/no variable; anything but a recognised spelling is an error."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    """A whole-number variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    """A comma-separated variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """A variable that must be one of a few words."""
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (see .env.example)")
    SECRET_KEY = "insecure-development-key-" + "x" * 40

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # SimpleAdminConfig: plain "django.contrib.admin" autodiscovers every app's admin module, and django-leaflet's
    # imports GeoDjango, which needs the GDAL system library. We use Leaflet without GeoDjango, so we skip
    # autodiscovery and register our admin modules in backend/urls.py; set-up stays pip-only.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "leaflet",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "compliance.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "compliance.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "compliance.context_processors.user_roles",
                "compliance.context_processors.basemap",
            ],
        },
    },
]

# Database: SQLite in the project unless DATABASE_URL says otherwise (PostgreSQL is the scale path).
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH") or BASE_DIR / "db.sqlite3")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Connections are kept between requests on either engine. On SQLite that saves more than the connect: the last
# connection to close checkpoints the write-ahead log and the next commit starts it afresh, both with an fsync,
# which made every throttled request (it writes its count) pay a few milliseconds (docs/benchmarks.md, resends).
_conn_max_age = envint("DB_CONN_MAX_AGE", 60)
if DATABASE_URL:
    try:
        _database = dj_database_url.parse(DATABASE_URL, conn_max_age=_conn_max_age)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from None
    if _database["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// address")
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH), "CONN_MAX_AGE": _conn_max_age}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # Writers take the lock when the transaction starts, so two writers queue on the busy timeout instead of
        # one failing with "database is locked" when it upgrades a read lock. WAL lets readers go on meanwhile.
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT_S", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "compliance" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "uploads")

# Photo storage: the local folder by default, any S3-compatible store when a bucket is named.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # Photos are served through SignWatch's own views (approved ones only), never by public bucket URLs.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def cache_from_url(variable: str, url: str, name: str, *, max_entries: int = 300) -> dict[str, Any]:
    """A CACHES entry from an address: locmem://, db://TABLE, redis://..., rediss://... or memcached://HOST:PORT.

    max_entries bounds the caches Django culls itself (memory, database): past it, a third of the keys are dropped.
    """
    if url.startswith("locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url[9:] or name,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("db://"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": url[5:] or name,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if url.startswith("memcached://") and url[12:]:
        return {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": url[12:]}
    raise ImproperlyConfigured(
        f"{variable} must start with locmem://, db://, redis://, rediss:// or memcached://HOST:PORT, not {url!r}"
    )


# Cached answers (compliance figures): per-process memory by default; CACHE_URL shares one across workers.
CACHE_URL = os.environ.get("CACHE_URL") or "locmem://"
# Sign-in lockouts and API throttles must be counted once for every worker process: in per-process memory, each
# gunicorn worker would keep its own count and "5 failures per username" would become 5 per worker. So they live in
# the database by default (the table is made by `migrate`), or in CACHE_URL's cache when that one is shared.
_SHARED_CACHES = ("db://", "redis://", "rediss://", "memcached://")
LIMITS_CACHE_URL = os.environ.get("LIMITS_CACHE_URL") or (
    CACHE_URL if CACHE_URL.startswith(_SHARED_CACHES) else "db://signwatch_limits"
)
CACHES = {
    # Kept answers (compliance/kept.py: map viewports, pages, Open311) and the values pages remember take one entry
    # each, a few hundred per state of the data: at Django's default of 300 they would push each other out.
    "default": cache_from_url(
        "CACHE_URL", CACHE_URL, "signwatch_cache", max_entries=2_000 if CACHE_URL.startswith("locmem") else 20_000
    ),
    # Culling would drop lockouts at random: an attacker who fills the cache with other keys would lift them.
    "limits": cache_from_url("LIMITS_CACHE_URL", LIMITS_CACHE_URL, "signwatch_limits", max_entries=10_000_000),
}

# Background work: inline by default; a database queue drained by `manage.py db_worker` when scaled out.
TASKS_BACKEND = envchoice("TASKS_BACKEND", "immediate", ("immediate", "database"))
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Email (review notices to volunteers who leave an address): printed to the console unless EMAIL_URL names an SMTP
# server: smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS), or smtp://host:25 (plain).
EMAIL_URL = os.environ.get("EMAIL_URL") or "console://"
_email = urlsplit(EMAIL_URL)
if _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email.scheme in ("smtp", "smtps"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or ""
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp" and EMAIL_PORT == 587
    EMAIL_TIMEOUT = 20
else:
    raise ImproperlyConfigured(f"EMAIL_URL must start with console://, smtp:// or smtps://, not {_email.scheme!r}")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "SignWatch <no-reply@signwatch.invalid>"
# An email that fails to send is tried again after this many seconds, then four times longer, three tries in all.
EMAIL_RETRY_BASE_SECONDS = envint("EMAIL_RETRY_BASE_SECONDS", 300)
# A campaign supporter's confirmation link works once, for this many seconds (compliance/campaigns.py).
CAMPAIGN_CONFIRMATION_MAX_AGE = envint("CAMPAIGN_CONFIRMATION_MAX_AGE", 48 * 3600)

# The public address of this SignWatch, for links in what leaves the site (webhooks, emails).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Webhooks: the first retry waits this long, each next one four times longer (compliance/webhooks.py).
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", 60)
# Only for tests and development: allow http:// and private or loopback webhook addresses.
WEBHOOKS_ALLOW_LOCAL = envbool("WEBHOOKS_ALLOW_LOCAL", False)
# Sign reading: OCR of each stored photo in a background task (see compliance/ocr.py). Off, photos are not read.
SIGN_READING = envbool("SIGN_READING", True)

# Security. Secure by default once DEBUG is off; each can be relaxed explicitly (e.g. TLS ended by a proxy).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Not HttpOnly: submit.js and moderate.js read the csrftoken cookie to send it back in X-CSRFToken. HttpOnly would
# add nothing here: a script able to read the cookie could read the token from any page's form just as well.
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
# Sign-in brute-force protection (compliance/security.py): failed attempts allowed per username and per client
# address; the lock lifts this many seconds after the last failure. Counted in the "limits" cache, shared by workers.
LOGIN_FAILURES_PER_USERNAME = envint("LOGIN_FAILURES_PER_USERNAME", 5)
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCK_S = envint("LOGIN_LOCK_S", 15 * 60)
# Suggested law corrections a client address may send per hour (the public form at /laws/{code}/suggest/).
LAW_CORRECTIONS_PER_HOUR = envint("LAW_CORRECTIONS_PER_HOUR", 5)
if envbool("TRUST_PROXY_HEADERS", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself; otherwise a client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "compliance.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        "submissions": os.environ.get("SUBMISSION_RATE") or "30/hour",
        "receipts": os.environ.get("RECEIPT_RATE") or "300/hour",
        # Campaign sign-ups: per client address, and per email domain (compliance/api/campaigns.py).
        "campaign_signups": os.environ.get("CAMPAIGN_SIGNUP_RATE") or "10/hour",
        "campaign_signup_domains": os.environ.get("CAMPAIGN_DOMAIN_RATE") or "300/hour",
    },
    # How many proxies in front of SignWatch append to X-Forwarded-For. 0: the client is the connection's address,
    # so a client cannot dodge its throttle by sending a made-up X-Forwarded-For.
    "NUM_PROXIES": envint("TRUSTED_PROXY_COUNT", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SignWatch API",
    "DESCRIPTION": "Posting laws for the National Human Trafficking Hotline, and whether the signs are on the wall.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's scripts come from the installed sidecar package, not a CDN: it works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # /api/compliance/ is a plain Django view (so a 304 needs no database query); it is described here.
    "APPEND_PATHS": {
        "/api/compliance/": {
            "get": {
                "operationId": "compliance_list",
                "tags": ["api"],
                "description": "Compliance for every jurisdiction: law status, headline rate with Wilson 95% "
                "interval and n, per venue type, or a voluntary-posting rate where there is no mandate. "
                "Served with an ETag; send If-None-Match to get 304 when unchanged.",
                "parameters": [{"in": "header", "name": "If-None-Match", "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "Figures", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "304": {"description": "Unchanged since the ETag sent"},
                },
            }
        }
    },
    "ENUM_NAME_OVERRIDES": {
        "LawStatusEnum": "compliance.models.PostingLaw.Status",
        "SignStatusEnum": "compliance.models.SignStatus",
        "LetterKindEnum": "compliance.models.Letter.Kind",
        "JurisdictionKindEnum": "compliance.models.Jurisdiction.Kind",
        "WebhookEventEnum": "compliance.models.WebhookEvent",
    },
}

# Volunteer submissions. Distances in metres.
SIGNWATCH = {
    # A report within this distance of a known venue of the same type joins it instead of creating a new one.
    "VENUE_MATCH_RADIUS_M": envint("VENUE_MATCH_RADIUS_M", 60),
    # Photo GPS and phone location further apart than this are flagged for moderators.
    "LOCATION_CONFLICT_M": envint("LOCATION_CONFLICT_M", 1_000),
    # A report further than this from the venue the volunteer picked is flagged.
    "FAR_FROM_VENUE_M": envint("FAR_FROM_VENUE_M", 300),
    # A photo taken longer ago than this is flagged as stale.
    "STALE_CAPTURE_DAYS": envint("STALE_CAPTURE_DAYS", 730),
    "PHOTO_MAX_BYTES": envint("PHOTO_MAX_BYTES", 15 * 1024 * 1024),
    "PHOTO_MAX_PIXELS": envint("PHOTO_MAX_PIXELS", 60_000_000),
    # Trust (compliance/trust.py): a volunteer with an account is trusted after this many approved reports...
    "TRUST_AFTER_APPROVALS": envint("TRUST_AFTER_APPROVALS", 5),
    # ...with no rejection among their last this many decided reports,
    "TRUST_CLEAN_LAST": envint("TRUST_CLEAN_LAST", 10),
    # and this percentage of their reports is still drawn at random for audit in the queue.
    "TRUST_AUDIT_PERCENT": envint("TRUST_AUDIT_PERCENT", 10),
}
if SIGNWATCH["TRUST_AFTER_APPROVALS"] < 1 or SIGNWATCH["TRUST_CLEAN_LAST"] < 0:
    raise ImproperlyConfigured("TRUST_AFTER_APPROVALS must be at least 1 and TRUST_CLEAN_LAST at least 0")
if not 0 <= SIGNWATCH["TRUST_AUDIT_PERCENT"] <= 100:
    raise ImproperlyConfigured("TRUST_AUDIT_PERCENT must be between 0 and 100")

# The whole request: a report's three largest photos and its fields. A bigger body is answered 413 before it is read
# (compliance/bodylimit.py, in front of Django), and no request may carry more files than a report's photos.
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", 3 * SIGNWATCH["PHOTO_MAX_BYTES"] + 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = envint("REQUEST_MAX_FILES", 3)

# The public map. No base tiles by default, so the map works offline; set a tile URL to draw one online.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
# A street basemap with no third-party tile server: one PMTiles archive (Protomaps), read with HTTP range requests.
# MAP_PMTILES_FILE: a local archive SignWatch serves itself at /basemap.pmtiles. MAP_PMTILES_URL: where browsers read
# it instead (an S3 bucket or a CDN, https://...; its origin joins the CSP's connect-src). docs/basemap.md.
MAP_PMTILES_FILE = os.environ.get("MAP_PMTILES_FILE", "")
MAP_PMTILES_URL = os.environ.get("MAP_PMTILES_URL", "") or ("/basemap.pmtiles" if MAP_PMTILES_FILE else "")
# The data's licence (ODbL) requires the credit on every map: an empty value keeps the default.
MAP_PMTILES_ATTRIBUTION = (
    os.environ.get("MAP_PMTILES_ATTRIBUTION")
    or '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap</a> · Protomaps'
)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (39.5, -98.35),
    "DEFAULT_ZOOM": 4,
    "MIN_ZOOM": 2,
    "MAX_ZOOM": 18,
    "TILES": [("Map", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})] if MAP_TILE_URL else [],
    "RESET_VIEW": False,
}


def _tile_origin(tile_url: str) -> str:
    """The origin a tile URL template loads from, as a CSP source; Leaflet's {s} subdomain becomes a wildcard."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"MAP_TILE_URL must be an http(s) address, not {tile_url!r}")
    host = parts.netloc.replace("{s}", "*")
    if "{" in host:
        raise ImproperlyConfigured(f"MAP_TILE_URL may use only {{s}} in its host name, not {tile_url!r}")
    return f"{parts.scheme}://{host}"


def _pmtiles_origins(pmtiles_url: str) -> list[str]:
    """The CSP connect-src sources the basemap archive needs: none for a path on this site, else its origin."""
    if not pmtiles_url:
        return []
    if pmtiles_url.startswith("/") and not pmtiles_url.startswith("//"):
        return []
    parts = urlsplit(pmtiles_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"MAP_PMTILES_URL must be a path on this site or an http(s) address, not {pmtiles_url!r}"
        )
    return [f"{parts.scheme}://{parts.netloc}"]


# Content Security Policy (django-csp): only this site's own files run or style the pages. Photos preview from
# blob: URLs on the submit page and Leaflet draws its icons from data: URIs; map tiles come from MAP_TILE_URL.
# Leaflet and the page scripts set styles through element.style (CSSOM), which style-src does not govern, so no
# 'unsafe-inline' is needed. The API docs page (Swagger UI) relaxes this for itself: compliance/api/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *([_tile_origin(MAP_TILE_URL)] if MAP_TILE_URL else [])],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "connect-src": ["'self'", *_pmtiles_origins(MAP_PMTILES_URL)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every screen-only CSS rule it skips while drawing a PDF; only its errors matter.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
