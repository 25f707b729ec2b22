"""Settings read from the environment, with embedded defaults that run on a bare machine.

Every default here is for `make run` on a laptop: SQLite and files under var/, an embedded Redis,
and the local stand-in Images API while no OPENAI_API_KEY is given. Production sets env vars
(see docker-compose.yml) and nothing else.
"""
import secrets
from pathlib import Path

from .env import (
    ConfigurationError,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STUDIO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development, one generated once into var/ (never committed)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ConfigurationError("SECRET_KEY must be set when DEBUG is off.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "studio.accounts",
    "studio.models_registry",
    "studio.generation",
    "studio.gallery",
    "studio.standin",
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
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"
ASGI_APPLICATION = "studio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio.context_processors.provider_banner",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'studio.sqlite3'}"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "generation:new"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG  # serve straight from static/ in development, no collectstatic needed
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Object storage -------------------------------------------------------------------------------
# The DB stores storage keys, never URLs. Filesystem by default; S3 (or MinIO) when a bucket is named.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    from botocore.config import Config as BotoConfig

    _image_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "default_acl": None,  # nothing is public-read; the bucket policy stays private
            "querystring_auth": True,
            "querystring_expire": env_int("S3_PRESIGN_SECONDS", 300),
            "file_overwrite": False,
            "client_config": BotoConfig(
                s3={"addressing_style": env_str("S3_ADDRESSING_STYLE", "path")},
                signature_version="s3v4",
                # Non-AWS servers (MinIO, moto) reject the checksums boto3 now sends by default.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        },
    }
else:
    _image_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _image_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Downloaded bytes land here first, so a storage outage only delays an image, never loses it.
SPOOL_DIR = Path(env_str("STUDIO_SPOOL_DIR", str(VAR_DIR / "spool")))

# --- Redis, Celery --------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True  # the database is the truth; Redis is only a mailbox
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "api"
CELERY_TASK_ROUTES = {
    "studio.generation.tasks.run_job": {"queue": "api"},
    "studio.generation.tasks.fetch_image": {"queue": "fetch"},
    "studio.generation.tasks.sweep": {"queue": "fetch"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest task plus the longest countdown (a fetch retried up to the 60-minute URL
    # deadline), so Redis does not hand a still-running task to a second worker.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "studio.generation.tasks.sweep", "schedule": env_float("STUDIO_SWEEP_SECONDS", 60.0)},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Images API -----------------------------------------------------------------------------------
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
STANDIN_URL = env_str("STANDIN_URL", "http://127.0.0.1:8100/v1")
STUDIO_PROVIDER_TIMEOUT = env_float("STUDIO_PROVIDER_TIMEOUT", 180.0)
STUDIO_MODEL_REGISTRY = env_str("STUDIO_MODEL_REGISTRY") or None

# --- Pipeline -------------------------------------------------------------------------------------
STUDIO_API_RETRY_LIMIT = env_int("STUDIO_API_RETRY_LIMIT", 3)
STUDIO_INTERRUPTED_RETRY_LIMIT = env_int("STUDIO_INTERRUPTED_RETRY_LIMIT", 1)
STUDIO_FETCH_TIMEOUT = env_float("STUDIO_FETCH_TIMEOUT", 30.0)
STUDIO_FETCH_MAX_BYTES = env_int("STUDIO_FETCH_MAX_BYTES", 64 * 1024 * 1024)
STUDIO_FETCH_ALLOWED_HOSTS = env_list(
    "STUDIO_FETCH_ALLOWED_HOSTS", ["*.blob.core.windows.net", "*.openai.com", "127.0.0.1", "localhost"]
)
STUDIO_IMAGES_PER_MINUTE = env_int("STUDIO_IMAGES_PER_MINUTE", 60)
STUDIO_TRASH_DAYS = env_int("STUDIO_TRASH_DAYS", 30)
STUDIO_THUMBNAIL_SIZE = env_int("STUDIO_THUMBNAIL_SIZE", 384)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # httpx logs every request line; the SDK's own debug logs can include headers.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "openai": {"level": "WARNING"},
    },
}
