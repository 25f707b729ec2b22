"""A small multipart/form-data parser (the stdlib `cgi` module is gone in 3.13).

Works on the whole body in memory with bytes.find, which is fast even for 50 MB uploads.
"""

from __future__ import annotations

from email.message import Message

from .api_types import Upload


class MultipartError(ValueError):
    pass


def _params(header_value: str) -> tuple[str, dict[str, str]]:
    msg = Message()
    msg["content-type"] = header_value
    params = dict(msg.get_params() or [])
    main = msg.get_content_type()
    params.pop(main, None)
    return main, {k.lower(): v for k, v in params.items()}


def _disposition(value: str) -> dict[str, str]:
    msg = Message()
    msg["content-disposition"] = value
    return {k.lower(): v for k, v in (msg.get_params(header="content-disposition") or [])[1:]}


def parse(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, list[Upload]], list[tuple[str, str]]]:
    """(fields, files, all_fields_in_order). A field given twice keeps its last value in `fields`."""
    main, params = _params(content_type)
    if main != "multipart/form-data" or not params.get("boundary"):
        raise MultipartError("expected multipart/form-data with a boundary")
    delimiter = b"--" + params["boundary"].encode("latin-1")
    fields: dict[str, str] = {}
    ordered: list[tuple[str, str]] = []
    files: dict[str, list[Upload]] = {}
    pos = body.find(delimiter)
    if pos < 0:
        raise MultipartError("boundary not found")
    while True:
        pos += len(delimiter)
        if body[pos : pos + 2] == b"--":
            break
        if body[pos : pos + 2] == b"\r\n":
            pos += 2
        end = body.find(b"\r\n" + delimiter, pos)
        if end < 0:
            raise MultipartError("unterminated part")
        part = body[pos:end]
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("part without headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disp = _disposition(headers.get("content-disposition", ""))
        name = disp.get("name")
        if name is None:
            raise MultipartError("part without a name")
        if "filename" in disp:
            files.setdefault(name, []).append(
                Upload(disp["filename"], headers.get("content-type", "application/octet-stream"), content)
            )
        else:
            text = content.decode("utf-8", "replace")
            fields[name] = text
            ordered.append((name, text))
        pos = end + 2
    return fields, files, ordered
