"""Pictures that claim many pixels in few bytes, made without holding their pixels (for upload tests and
benchmarks/upload_measure.py)."""
from __future__ import annotations

import struct
import zlib

_CHANNELS = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def sparse_png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A valid PNG of `width`x`height` zero pixels, compressed row by row (an 8000x8000 RGB one is ~190 KB)."""
    colour_type, channels = _CHANNELS[mode]
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + width * channels)  # filter byte "none", then zeros
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")
