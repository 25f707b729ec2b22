"""STORAGES: filesystem by default; S3 (or MinIO) when settings.py was given a bucket."""
from pathlib import Path

from botocore.config import Config as BotoConfig


def storage_settings(*, debug: bool, media_root: Path, bucket: str = "", endpoint_url: str = "",
                     access_key: str = "", secret_key: str = "", region: str = "", presign_seconds: int = 300,
                     addressing_style: str = "path", connect_timeout: float = 5.0, read_timeout: float = 30.0,
                     max_attempts: int = 2) -> dict:
    """The database stores storage keys, never URLs, so the same rows work with either backend."""
    if bucket:
        images = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint_url or None,
                "access_key": access_key or None,
                "secret_key": secret_key or None,
                "region_name": region or None,
                "default_acl": None,  # nothing is public-read; the bucket policy stays private
                "querystring_auth": True,
                "querystring_expire": presign_seconds,
                "file_overwrite": False,
                "client_config": BotoConfig(
                    s3={"addressing_style": addressing_style},
                    signature_version="s3v4",
                    # An object store that hangs must not hold a worker thread for boto's default 60 s
                    # with retries: the spool keeps the bytes, and the pipeline retries the store later.
                    connect_timeout=connect_timeout,
                    read_timeout=read_timeout,
                    retries={"max_attempts": max_attempts, "mode": "standard"},
                    # Non-AWS servers (MinIO, moto) reject the checksums boto3 now sends by default.
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            },
        }
    else:
        images = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": None},
        }
    return {
        "default": images,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if debug
            else "whitenoise.storage.CompressedStaticFilesStorage"
        },
    }
