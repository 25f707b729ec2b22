"""The spool: local disk where image bytes wait until storage has them.

Downloads and b64 answers land here first, fsynced, before the row says they exist; so a storage
outage only delays an image, never loses it. Each worker's spool is its own disk.
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from django.conf import settings


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def spool_dir() -> Path:
    path = Path(settings.SPOOL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_bytes(data: bytes) -> str:
    """Write `data` to a new spool file and return its path (durable before this returns)."""
    fd, path = tempfile.mkstemp(dir=spool_dir(), suffix=".img")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        discard(path)  # a full disk must not keep the half-written file as well
        raise
    return path


def new_partial_file() -> tuple[int, str]:
    """An open descriptor and path for a download in progress (renamed by `keep_partial` when whole)."""
    return tempfile.mkstemp(dir=spool_dir(), suffix=".part")


def keep_partial(path: str) -> str:
    final = path[: -len(".part")] + ".img"
    os.replace(path, final)
    return final


def is_spooled(path: str) -> bool:
    return bool(path) and os.path.exists(path)


def discard(path) -> None:
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
