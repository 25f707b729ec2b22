"""A real S3 server on loopback (moto's server mode) for tests and local experiments.

It runs as a process of its own so a test can stop it (SIGSTOP: requests hang as in an outage),
resume it, or kill it, exactly as an object store misbehaves in production.
"""
import signal
import subprocess

import boto3
from botocore.config import Config

from .processes import free_port, python, stop, wait_for_port

ACCESS_KEY = "studio-test"
SECRET_KEY = "studio-test-secret"
REGION = "us-east-1"


class MotoS3Server:
    def __init__(self, bucket: str = "studio-test", port: int | None = None):
        self.bucket = bucket
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoS3Server":
        self.proc = subprocess.Popen(
            [python(), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port("127.0.0.1", self.port, timeout=30, process=self.proc)
        self.client().create_bucket(Bucket=self.bucket)
        return self

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(request_checksum_calculation="when_required", response_checksum_validation="when_required"),
        )

    def pause(self) -> None:
        """Freeze the server: connections are accepted by the kernel but nothing answers."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None:
            self.resume()
            stop(self.proc)
            self.proc = None

    def storage_settings(self, *, presign_seconds: int = 300) -> dict:
        """A Django STORAGES["default"] entry pointing at this server."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint_url,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "region_name": REGION,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": presign_seconds,
                "file_overwrite": False,
                "client_config": Config(
                    s3={"addressing_style": "path"}, signature_version="s3v4",
                    connect_timeout=3, read_timeout=10, retries={"max_attempts": 1},
                    request_checksum_calculation="when_required", response_checksum_validation="when_required",
                ),
            },
        }

    def __enter__(self) -> "MotoS3Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
