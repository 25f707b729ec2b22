"""Settings for worker and beat processes started by the fault tests: the test settings, plus S3.

The processes get the test process's environment (so the same var dir, spool and database) with
DATABASE_URL naming the test database and REDIS_URL the test's own Redis; STUDIO_TEST_S3_PORT points
default storage at a loopback moto server.
"""
import os

from tests.settings import *  # noqa: F401,F403
from tests.settings import STORAGES

if os.environ.get("STUDIO_TEST_METRICS_DIR"):
    # tests.settings drops PROMETHEUS_MULTIPROC_DIR; a fault test that reads the workers' metrics names one.
    # prometheus-client reads the variable itself when studio.metrics imports it, after these settings.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = PROMETHEUS_MULTIPROC_DIR = os.environ["STUDIO_TEST_METRICS_DIR"]

if os.environ.get("STUDIO_TEST_S3_PORT"):
    from studio.devtools.s3server import MotoS3Server

    _s3 = MotoS3Server(bucket=os.environ["STUDIO_TEST_S3_BUCKET"], port=int(os.environ["STUDIO_TEST_S3_PORT"]))
    STORAGES = {**STORAGES, "default": _s3.storage_settings()}
