"""Server-sent events in the shape the openai SDK's SSE decoder parses."""

from __future__ import annotations

import json


def event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
