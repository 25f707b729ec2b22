"""Settings for the test suite: the app's settings, pointed at what this machine has.

PostgreSQL and Redis on 127.0.0.1 are used when they answer (CI has them); otherwise SQLite and an
embedded Redis, so a bare machine still runs every test. Env vars win over both, and
STUDIO_TEST_EMBEDDED=1 ignores the local servers, to try the bare-machine path where they run.
"""
import atexit
import base64
import hashlib
import os
import tempfile
from pathlib import Path

from studio.devtools.processes import free_port, port_is_open, start_redis, stop

_var = Path(tempfile.mkdtemp(prefix="studio-test-"))
os.environ.setdefault("STUDIO_VAR_DIR", str(_var))
os.environ.setdefault("DEBUG", "true")

# Metrics count per process in tests (a test that wants multiprocess mode sets it up itself).
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

_probe = os.environ.get("STUDIO_TEST_EMBEDDED", "") not in ("1", "true", "yes")

if "DATABASE_URL" not in os.environ:
    if _probe and port_is_open("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/studio"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{_var / 'studio.sqlite3'}"

if "REDIS_URL" not in os.environ:
    if _probe and port_is_open("127.0.0.1", 6379):
        # A database number of its own, so tests never read the messages of a dev server on db 0.
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/9"
    else:
        _port = free_port()
        _redis = start_redis(_port, workdir=_var / "redis")
        atexit.register(stop, _redis)
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{_port}/0"

from studio.settings import *  # noqa: E402,F401,F403
from studio.settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so worker processes started by fault tests see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(_var / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Provider keys are encrypted at rest. pytest-django runs tests with DEBUG off, so the suite names a key of its
# own (made up for the tests, fixed so that worker processes of the fault tests read what the test wrote).
STUDIO_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(b"studio test suite: not a secret").digest()).decode()]

# Per-person rate limits count in Redis by user id, and ids repeat between test databases: the suite runs
# without them, and the tests of the limits set their own (tests/spending/test_rate_limits.py).
STUDIO_PERSON_IMAGES_PER_MINUTE = 1_000_000
STUDIO_PERSON_CONCURRENT_JOBS = 1_000_000
