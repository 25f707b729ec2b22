"""Settings read from the environment, with embedded defaults that run on a bare machine.

Every default here is for `make run` on a laptop: SQLite and files under var/, an embedded Redis,
and the local stand-in Images API while no OPENAI_API_KEY is given. Production sets env vars
(see docker-compose.yml) and nothing else.
"""
import secrets
from pathlib import Path

from .conf.celery import TASK_ROUTES, beat_schedule, broker_transport_options
from .conf.csp import content_security_policy, storage_origin
from .conf.database import psycopg_pool_installed, use_pool
from .conf.logging import logging_settings
from .conf.security import security_settings
from .conf.signin import throttling_settings
from .conf.slots import TEMPLATE_SLOTS
from .conf.storage import storage_settings
from .devtools.run import recorded_broker_url
from .env import (
    ConfigurationError, database_from_url, env_bool, env_choice, env_fernet_keys, env_float, env_group_teams,
    env_host_ports, env_int, env_list, env_pairs, env_str, env_subset,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STUDIO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: `make run` (studio/devtools/run.py) and the test suite turn it on for themselves.
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development, one generated once into var/ (never committed)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ConfigurationError("SECRET_KEY must be set when DEBUG is off (for development, set DEBUG=true, "
                                 "as `make run` does).")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# HTTPS: redirect, HSTS and Secure cookies on with DEBUG off; each switch overrides (README "Production").
STUDIO_BEHIND_PROXY = env_bool("STUDIO_BEHIND_PROXY", False)  # trust X-Forwarded-Proto (and -For, for axes)
_production = not DEBUG
globals().update(security_settings(
    ssl_redirect=env_bool("STUDIO_SSL_REDIRECT", _production),
    hsts_seconds=env_int("STUDIO_HSTS_SECONDS", 365 * 24 * 3600 if _production else 0),
    hsts_include_subdomains=env_bool("STUDIO_HSTS_INCLUDE_SUBDOMAINS", _production),
    hsts_preload=env_bool("STUDIO_HSTS_PRELOAD", _production),
    secure_cookies=env_bool("STUDIO_SECURE_COOKIES", _production), behind_proxy=STUDIO_BEHIND_PROXY))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django.contrib.postgres",
    "studio.audit",
    # Sign-in throttling (issue 12), before studio.accounts: its failed-sign-in receiver runs first and marks a
    # lockout, so Studio's audit records one event per attempt (sign_in.failed, or sign_in.locked_out).
    "axes",
    # Before accounts: its `team` command (accounts' own plus `team budget`) is the one manage.py runs.
    "studio.spending",
    "studio.accounts",
    # Sign-in (issue 14): django-allauth's accounts, OpenID Connect single sign-on, MFA and session list.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
    "studio.models_registry",
    "studio.generation",
    "studio.gallery",
    "studio.standin",
    "studio.workflow",
    "studio.ops",
]

MIDDLEWARE = [
    "studio.request_limits.refuse_large_bodies",  # first: a body over STUDIO_MAX_UPLOAD_MB is never read
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "studio.audit.context.RequestContextMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "studio.accounts.mfa_required.RequireMfaMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # the policy of studio/conf/csp.py on every response
]

ROOT_URLCONF = "studio.urls"
# Parts of higher apps shown in lower apps' pages (studio/conf/slots.py).
STUDIO_TEMPLATE_SLOTS = TEMPLATE_SLOTS
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
                "studio.spending.context_processors.notices",
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "generation:new"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in: passwords, single sign-on (OpenID Connect), MFA, invitations (issue 14) ---------------
# Password sign-in goes through django.contrib.auth.authenticate(request=...) (allauth calls it), so
# django-axes' backend goes FIRST in this list; allauth's backend stays after ModelBackend.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend",
                           "allauth.account.auth_backends.AuthenticationBackend"]
globals().update(throttling_settings(cooloff_minutes=env_int("STUDIO_SIGNIN_COOLOFF_MINUTES", 15),
                                     behind_proxy=STUDIO_BEHIND_PROXY))
ACCOUNT_ADAPTER = "studio.accounts.allauth_adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "studio.accounts.allauth_adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "studio.accounts.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
# People sign in by username; an address is for mail, not identity, so two accounts may share one (an
# SSO person and the local account an operator made before SSO), and SSO never joins accounts by email.
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = True  # as before allauth: a sign-in lasts SESSION_COOKIE_AGE, not one browser run
# Sign-in throttling is django-axes' job (issue 12); allauth's own sign-in limits would be a second one.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}
SOCIALACCOUNT_AUTO_SIGNUP = True  # first SSO sign-in makes the person, with no extra form
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_float("STUDIO_OIDC_TIMEOUT", 5.0)
# Studio's provider class sends a nonce and checks every ID token's signature against the JWKS.
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"provider_class": "studio.accounts.sso.provider.StudioOIDCProvider",
                                              "OAUTH_PKCE_ENABLED": True, "VERIFIED_EMAIL": True}}
STUDIO_OIDC_ISSUER = env_str("STUDIO_OIDC_ISSUER").rstrip("/")
STUDIO_OIDC_CLIENT_ID = env_str("STUDIO_OIDC_CLIENT_ID")
STUDIO_OIDC_CLIENT_SECRET = env_str("STUDIO_OIDC_CLIENT_SECRET")
STUDIO_OIDC_NAME = env_str("STUDIO_OIDC_NAME", "single sign-on")
STUDIO_OIDC_SCOPES = env_list("STUDIO_OIDC_SCOPES", ["openid", "email", "profile", "groups"])
STUDIO_OIDC_GROUPS_CLAIM = env_str("STUDIO_OIDC_GROUPS_CLAIM", "groups")
# "group=Team:role,...": ((group, team name, role), ...); a malformed item stops start-up here, a team
# that does not exist is a warning of `manage.py check` (studio.accounts.checks).
STUDIO_OIDC_TEAMS = env_group_teams("STUDIO_OIDC_TEAMS", roles=("owner", "member", "viewer"))
if STUDIO_OIDC_ISSUER and not (STUDIO_OIDC_CLIENT_ID and STUDIO_OIDC_CLIENT_SECRET):
    raise ConfigurationError("STUDIO_OIDC_ISSUER is set: STUDIO_OIDC_CLIENT_ID and STUDIO_OIDC_CLIENT_SECRET must be too.")
STUDIO_LOCAL_LOGIN = env_bool("STUDIO_LOCAL_LOGIN", True)  # false: password sign-in for staff only
STUDIO_REQUIRE_MFA = env_bool("STUDIO_REQUIRE_MFA", False)  # true: password users enrol in TOTP at sign-in
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("STUDIO_MFA_ISSUER", "Studio")
# Sessions are recorded when someone signs in; tracking every request would cost writes on each htmx poll.
USERSESSIONS_TRACK_ACTIVITY = False
STUDIO_INVITATION_DAYS = 7
# Mail (invitations, password resets): SMTP when EMAIL_HOST is set, else printed by the web process.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS, EMAIL_USE_SSL = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587), env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'console'}.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Studio <studio@localhost>")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigurationError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true (587 uses TLS, 465 SSL).")

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

# Bounded input (issue 12): one request's body, the pixels its pictures may claim, Django's own limits.
STUDIO_MAX_UPLOAD_MB = env_int("STUDIO_MAX_UPLOAD_MB", 50)  # the largest picture a model accepts
STUDIO_MAX_UPLOAD_PIXELS = env_int("STUDIO_MAX_UPLOAD_PIXELS", 100_000_000)  # all pictures of one request
DATA_UPLOAD_MAX_MEMORY_SIZE, FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024, 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES = 500, 50  # above 16 references: the form says why

# --- Object storage -------------------------------------------------------------------------------
# The DB stores storage keys, never URLs. Filesystem by default; S3 (or MinIO) when a bucket is named.
S3_BUCKET, S3_ENDPOINT_URL, S3_REGION = env_str("S3_BUCKET"), env_str("S3_ENDPOINT_URL"), env_str("S3_REGION")
STORAGES = storage_settings(
    debug=DEBUG, media_root=MEDIA_ROOT, bucket=S3_BUCKET, endpoint_url=S3_ENDPOINT_URL,
    access_key=env_str("S3_ACCESS_KEY_ID"), secret_key=env_str("S3_SECRET_ACCESS_KEY"), region=S3_REGION,
    presign_seconds=env_int("S3_PRESIGN_SECONDS", 300), addressing_style=env_str("S3_ADDRESSING_STYLE", "path"),
    connect_timeout=env_float("S3_CONNECT_TIMEOUT", 5.0), read_timeout=env_float("S3_READ_TIMEOUT", 30.0),
    max_attempts=env_int("S3_MAX_ATTEMPTS", 2),
) if S3_BUCKET else storage_settings(debug=DEBUG, media_root=MEDIA_ROOT)
CONTENT_SECURITY_POLICY = content_security_policy(  # studio/conf/csp.py: self, plus the bucket's presigned URLs
    presign_origin=storage_origin(bucket=S3_BUCKET, endpoint_url=S3_ENDPOINT_URL, region=S3_REGION))
# Downloaded bytes land here first, so a storage outage only delays an image, never loses it.
SPOOL_DIR = Path(env_str("STUDIO_SPOOL_DIR", str(VAR_DIR / "spool")))

# --- Redis, Celery --------------------------------------------------------------------------------
# The database is the truth; Redis is only a mailbox. Every message can be lost (the sweeper re-sends
# what the rows say is due) or delivered twice (claims and leases make the second delivery a no-op).
# Unset: the embedded Redis a running `make run` recorded under var/ (studio.devtools.run), so a
# manage.py command run beside it enqueues where its workers read; else the usual local Redis.
REDIS_URL = env_str("REDIS_URL") or recorded_broker_url(VAR_DIR) or "redis://127.0.0.1:6379/0"
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a message is acknowledged when its task ends, so a crash does not eat it
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one message per free thread: a busy worker leaves work for others
CELERY_WORKER_POOL = env_str("CELERY_WORKER_POOL", "threads")  # the work is waiting on the network
CELERY_WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 32)
CELERY_TASK_DEFAULT_QUEUE = "api"
CELERY_TASK_ROUTES = TASK_ROUTES
# Redis "priorities" are separate lists polled in order (0 first): the sweeper jumps the fetch queue,
# and downloads near their URL deadline go before the rest.
CELERY_TASK_DEFAULT_PRIORITY = 6
STUDIO_PRIORITY_SWEEP = 0
STUDIO_PRIORITY_URGENT = 3
STUDIO_PRIORITY_CALL = 9  # images already paid for are downloaded before new calls start
STUDIO_PRIORITY_PROVENANCE = 9  # reading content credentials waits behind every download
# Above the longest task plus the longest countdown (studio/conf/celery.py says why).
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(
    visibility_timeout=env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker outlives a Redis restart, however long
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False  # a paid call in flight finishes
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
STUDIO_SWEEP_SECONDS = env_float("STUDIO_SWEEP_SECONDS", 60.0)
CELERY_BEAT_SCHEDULE = beat_schedule(sweep_seconds=STUDIO_SWEEP_SECONDS, sweep_priority=STUDIO_PRIORITY_SWEEP)

# Live events: workers publish job events on Redis pub/sub (generation/services/events.py); the /v1
# gateway's waiting requests and the pages' event stream listen, and read the database every
# STUDIO_LIVE_CHECK_SECONDS in case an event was missed. Pub/sub ignores Redis database numbers, so
# the channel carries REDIS_URL's.
STUDIO_LIVE_CHECK_SECONDS = env_float("STUDIO_LIVE_CHECK_SECONDS", 3.0)
# Studio's own Images API (/v1): how long a request waits for its job, and how long its url results work
# (0: until the token is revoked).
STUDIO_GATEWAY_WAIT_SECONDS = env_float("STUDIO_GATEWAY_WAIT_SECONDS", 900.0)
STUDIO_GATEWAY_URL_DAYS = env_int("STUDIO_GATEWAY_URL_DAYS", 0)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Images API -----------------------------------------------------------------------------------
# The provider the environment describes, read here and nowhere else (providers.py reads these settings,
# never os.environ, so tests that blank them reach the stand-in whatever the shell exports).
# OpenAI, or any compatible gateway with OPENAI_BASE_URL; with neither a key nor a URL, the stand-in.
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
OPENAI_ORG_ID = env_str("OPENAI_ORG_ID")
OPENAI_PROJECT_ID = env_str("OPENAI_PROJECT_ID")
# Azure OpenAI, when its endpoint is given: a model is usable through its deployment only.
AZURE_OPENAI_ENDPOINT = env_str("AZURE_OPENAI_ENDPOINT")
AZURE_OPENAI_API_KEY = env_str("AZURE_OPENAI_API_KEY")
OPENAI_API_VERSION = env_str("OPENAI_API_VERSION")
AZURE_OPENAI_DEPLOYMENTS = env_pairs("AZURE_OPENAI_DEPLOYMENTS", shape="model=deployment")  # ((model, deployment), ...)
STANDIN_URL = env_str("STANDIN_URL", "http://127.0.0.1:8100/v1")
STUDIO_PROVIDER_TIMEOUT = env_float("STUDIO_PROVIDER_TIMEOUT", 180.0)
STUDIO_MODEL_REGISTRY = env_str("STUDIO_MODEL_REGISTRY") or None
# What the environment's provider can do (admin providers have the same as fields). In "auto" Studio
# also learns it by calling the provider, and remembers it per provider (models_registry.LearnedFacts).
STUDIO_PROVIDER_STREAMING = env_choice("STUDIO_PROVIDER_STREAMING", "auto", ("auto", "on", "off"))
STUDIO_PROVIDER_RESPONSE_FORMAT = env_choice("STUDIO_PROVIDER_RESPONSE_FORMAT", "url", ("url", "b64_json"))
STUDIO_PROVIDER_ENDPOINTS = env_subset("STUDIO_PROVIDER_ENDPOINTS", ["generations", "edits", "variations"],
                                       ("generations", "edits", "variations"))
# host:port pairs results may also be downloaded from, e.g. the upstream behind a gateway that passes
# DALL·E links through unchanged (they point at the upstream's host, not the gateway's).
STUDIO_PROVIDER_DOWNLOAD_HOSTS = env_host_ports("STUDIO_PROVIDER_DOWNLOAD_HOSTS")
# Never pay twice for a failure that will repeat: every request a job sends upstream (retries and
# stream fallbacks included) counts against this cap.
STUDIO_MAX_UPSTREAM_CALLS = env_int("STUDIO_MAX_UPSTREAM_CALLS", 3)

# A pool of PostgreSQL connections, so bursts of worker threads wait for one instead of exceeding
# max_connections (studio/conf/database.py).
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DATABASE_POOL", psycopg_pool_installed()):
    use_pool(DATABASES["default"], min_size=env_int("DATABASE_POOL_MIN", 1), max_size=env_int("DATABASE_POOL_MAX", 16),
             timeout=env_float("DATABASE_POOL_TIMEOUT", 30.0))

# --- Pipeline -------------------------------------------------------------------------------------
# Upstream calls: 429 waits for retry-after; 5xx, timeouts and connection errors back off (full jitter)
# up to STUDIO_API_RETRY_LIMIT retries; other 4xx never retry.
STUDIO_API_RETRY_LIMIT = env_int("STUDIO_API_RETRY_LIMIT", 3)
STUDIO_API_BACKOFF_BASE = env_float("STUDIO_API_BACKOFF_BASE", 2.0)
STUDIO_API_BACKOFF_CAP = env_float("STUDIO_API_BACKOFF_CAP", 60.0)
# A call still "calling" this long after the provider timeout was cut off by a dead worker.
STUDIO_CALL_GRACE_SECONDS = env_float("STUDIO_CALL_GRACE_SECONDS", 30.0)
STUDIO_INTERRUPTED_RETRY_LIMIT = env_int("STUDIO_INTERRUPTED_RETRY_LIMIT", 1)
# Streaming (GPT image models): partial images become previews while the model works.
STUDIO_STREAM_PREVIEWS = env_bool("STUDIO_STREAM_PREVIEWS", True)
STUDIO_STREAM_PARTIAL_IMAGES = env_int("STUDIO_STREAM_PARTIAL_IMAGES", 2)
# Downloads: provider URLs live this long after `created` (OpenAI 60 min; Azure 24 h).
STUDIO_URL_TTL = env_float("STUDIO_URL_TTL", 3600.0)
STUDIO_FETCH_TIMEOUT = env_float("STUDIO_FETCH_TIMEOUT", 30.0)
STUDIO_FETCH_MAX_BYTES = env_int("STUDIO_FETCH_MAX_BYTES", 64 * 1024 * 1024)
STUDIO_WEBHOOK_ALLOWED_HOSTS = env_host_ports("STUDIO_WEBHOOK_ALLOWED_HOSTS")  # internal receivers, host:port
STUDIO_WEBHOOK_TIMEOUT = env_float("STUDIO_WEBHOOK_TIMEOUT", 10.0)  # one deadline for a whole delivery attempt
STUDIO_WEBHOOK_MAX_ATTEMPTS = env_int("STUDIO_WEBHOOK_MAX_ATTEMPTS", 8)  # then the delivery is given up
# Hosts image links may point at (names, *.wildcards, or exact host:port). A name must resolve to public
# addresses; only an exact host:port (this list, a provider's own address or download hosts, the stand-in's)
# may be internal (studio/models_registry/outbound.py, the guard of every outbound fetch).
STUDIO_FETCH_ALLOWED_HOSTS = env_list("STUDIO_FETCH_ALLOWED_HOSTS", ["*.blob.core.windows.net", "*.openai.com"])
STUDIO_FETCH_RETRY_LIMIT = env_int("STUDIO_FETCH_RETRY_LIMIT", 6)  # download attempts per image
STUDIO_FETCH_BACKOFF_BASE = env_float("STUDIO_FETCH_BACKOFF_BASE", 1.0)
STUDIO_FETCH_BACKOFF_CAP = env_float("STUDIO_FETCH_BACKOFF_CAP", 30.0)
# A spooled image waits out a storage outage with no limit; this caps the wait between tries.
STUDIO_STORE_BACKOFF_CAP = env_float("STUDIO_STORE_BACKOFF_CAP", 60.0)
# At most this many threads per worker wait on storage; the others defer a store after this many
# seconds and go on downloading (storage that is down must not starve downloads racing URL deadlines).
STUDIO_STORE_CONCURRENCY = env_int("STUDIO_STORE_CONCURRENCY", 4)
STUDIO_STORE_WAIT = env_float("STUDIO_STORE_WAIT", 2.0)
# How long one worker holds an image before another may take it over (a killed worker's hold lapses).
STUDIO_FETCH_LEASE_SECONDS = env_float("STUDIO_FETCH_LEASE_SECONDS", 300.0)
# Work the rows say is due but no message has come for this long is sent again by the sweeper.
STUDIO_REENQUEUE_AFTER = env_float("STUDIO_REENQUEUE_AFTER", 120.0)
# Longer waits are split: a message never sleeps in Redis longer than this (< visibility timeout).
STUDIO_MAX_COUNTDOWN = env_float("STUDIO_MAX_COUNTDOWN", 900.0)
# Pacing: images per minute per provider (a provider may set its own), shared through Redis.
STUDIO_IMAGES_PER_MINUTE = env_int("STUDIO_IMAGES_PER_MINUTE", 60)
STUDIO_PACING_BURST_SECONDS = env_float("STUDIO_PACING_BURST_SECONDS", 10.0)
# Fair queueing in front of the pace: a person's batch jobs go to the queue this many at a time.
STUDIO_FAIR_SHARE_IN_FLIGHT = env_int("STUDIO_FAIR_SHARE_IN_FLIGHT", 3)
# The most jobs one batch may make (rows of a CSV, lines of pasted prompts).
STUDIO_BATCH_MAX_JOBS = env_int("STUDIO_BATCH_MAX_JOBS", 500)
# Per person, shared by every web process through Redis; a team's budget row may override both.
STUDIO_PERSON_IMAGES_PER_MINUTE = env_int("STUDIO_PERSON_IMAGES_PER_MINUTE", 30)
STUDIO_PERSON_CONCURRENT_JOBS = env_int("STUDIO_PERSON_CONCURRENT_JOBS", 8)
STUDIO_TRASH_DAYS = env_int("STUDIO_TRASH_DAYS", 30)
STUDIO_THUMBNAIL_SIZE = env_int("STUDIO_THUMBNAIL_SIZE", 384)

# --- Encryption at rest ------------------------------------------------------------------------------
# Provider API keys are stored encrypted (studio/models_registry/encryption.py) with these Fernet keys,
# comma-separated, newest first: new values are encrypted with the first, every key listed still decrypts.
# To rotate, list a new key first, run `manage.py rotate_encryption_keys`, then drop the old key.
# Unset: one key derived from SECRET_KEY, so changing SECRET_KEY makes stored provider keys unreadable (the
# admin asks for them again); production should set its own (README "Production").
STUDIO_ENCRYPTION_KEYS = env_fernet_keys("STUDIO_ENCRYPTION_KEYS")
# --- Provenance (C2PA content credentials, near-duplicates) ---------------------------------------
# A PEM bundle of the root certificates whose C2PA signers Studio calls trusted (e.g. the C2PA trust
# list, or your own CA). Unset: signatures are still checked, but every signer shows as "not trusted".
STUDIO_C2PA_TRUST_ANCHORS = env_str("STUDIO_C2PA_TRUST_ANCHORS")

# Django's error reports (the DEBUG page, mails to ADMINS) hide provider keys and URL passwords.
DEFAULT_EXCEPTION_REPORTER_FILTER = "studio.models_registry.redaction.StudioExceptionReporterFilter"

# --- Operations -----------------------------------------------------------------------------------
STUDIO_AUDIT_DAYS = env_int("STUDIO_AUDIT_DAYS", 400)  # audit events older than this are purged by beat
# /metrics answers only `Authorization: Bearer <this>`; unset, /metrics is a 404.
STUDIO_METRICS_TOKEN = env_str("STUDIO_METRICS_TOKEN")
# Where every web and worker process of one machine keeps its metrics (prometheus-client's multiprocess
# mode, which reads the variable itself at import); unset, each process counts for itself alone.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
if PROMETHEUS_MULTIPROC_DIR:
    Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)
STUDIO_HEARTBEAT_SECONDS = env_float("STUDIO_HEARTBEAT_SECONDS", 15.0)  # workers say they are alive this often
# verify_archive: how many images beat's daily check samples, and how many it reads per second.
STUDIO_VERIFY_SAMPLE = env_int("STUDIO_VERIFY_SAMPLE", 1000)
STUDIO_VERIFY_PER_SECOND = env_float("STUDIO_VERIFY_PER_SECOND", 20.0)
STUDIO_PG_DUMP = env_str("STUDIO_PG_DUMP", "pg_dump")  # backup and restore on PostgreSQL
STUDIO_PG_RESTORE = env_str("STUDIO_PG_RESTORE", "pg_restore")
# One line per record: `text` for people, `json` for a log pipeline. Both carry the request id, the
# person, and the job and image ids, from the web request through the task to the worker.
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ("text", "json"))

LOGGING = logging_settings(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"))
