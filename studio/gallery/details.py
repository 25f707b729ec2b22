""""Download with details": a copy of the original carrying its prompt, model and Studio link.

The copy is made on request from the stored original, which is never written to. Metadata is added
into the container without decoding or re-encoding a pixel: PNG gets iTXt chunks (Title,
Description, Source, Comment, and an XMP packet) before IEND; JPEG an APP1 XMP segment after its
SOI/APP0; WebP an `XMP ` chunk (with the VP8X header that announces it). The XMP keeps the image
marked as AI-made (IPTC DigitalSourceType). Any bytes added break a C2PA hard binding, so a copy of
a picture with content credentials no longer validates: the page says so where it offers the copy.
"""
from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree as ET

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
}
AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
JPEG_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
JPEG_SEGMENT_MAX = 65533  # payload bytes an APP1 segment can hold, its length field included
SUPPORTED = ("image/png", "image/jpeg", "image/webp")


class CannotAddDetails(ValueError):
    """The original's format (or structure) does not take metadata without re-encoding."""


def xmp_packet(*, prompt: str, model: str, link: str) -> bytes:
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    q = lambda prefix, name: f"{{{NS[prefix]}}}{name}"  # noqa: E731
    meta = ET.Element(q("x", "xmpmeta"))
    rdf = ET.SubElement(meta, q("rdf", "RDF"))
    about = ET.SubElement(rdf, q("rdf", "Description"), {q("rdf", "about"): ""})
    ET.SubElement(about, q("xmp", "CreatorTool")).text = model
    ET.SubElement(about, q("dc", "source")).text = link
    ET.SubElement(about, q("Iptc4xmpExt", "DigitalSourceType")).text = AI_SOURCE
    alt = ET.SubElement(ET.SubElement(about, q("dc", "description")), q("rdf", "Alt"))
    ET.SubElement(alt, q("rdf", "li"), {"{http://www.w3.org/XML/1998/namespace}lang": "x-default"}).text = prompt
    body = ET.tostring(meta, encoding="unicode")
    return f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>{body}<?xpacket end="r"?>'.encode()


def with_details(data: bytes, content_type: str, *, prompt: str, model: str, link: str,
                 width: int | None = None, height: int | None = None) -> bytes:
    """The original's bytes with the details added; raises CannotAddDetails for other formats."""
    if content_type == "image/png":
        return _png(data, prompt=prompt, model=model, link=link)
    if content_type == "image/jpeg":
        return _jpeg(data, prompt=prompt, model=model, link=link)
    if content_type == "image/webp":
        return _webp(data, xmp_packet(prompt=prompt, model=model, link=link), width, height)
    raise CannotAddDetails(f"Studio cannot add details to a {content_type or 'file of unknown type'}.")


# --- PNG ------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _itxt(keyword: str, text: str) -> bytes:
    # keyword, NUL, compression flag 0, method 0, no language tag, no translated keyword, UTF-8 text
    return _png_chunk(b"iTXt", keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode())


def _png(data: bytes, *, prompt: str, model: str, link: str) -> bytes:
    end = data.rfind(b"IEND")
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or end < 12:
        raise CannotAddDetails("The stored PNG has no end chunk.")
    chunks = b"".join([
        _itxt("Title", " ".join(prompt.split()[:8])),
        _itxt("Description", prompt),
        _itxt("Source", model),
        _itxt("Comment", f"Made with Studio: {link}"),
        _itxt("XML:com.adobe.xmp", xmp_packet(prompt=prompt, model=model, link=link).decode()),
    ])
    start = end - 4  # the IEND chunk's length field
    return data[:start] + chunks + data[start:]


# --- JPEG -----------------------------------------------------------------------------------------


def _jpeg(data: bytes, *, prompt: str, model: str, link: str) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise CannotAddDetails("The stored JPEG has no start marker.")
    room = JPEG_SEGMENT_MAX - 2 - len(JPEG_XMP_ID)
    packet = xmp_packet(prompt=prompt, model=model, link=link)
    while len(packet) > room:  # a 32,000-character prompt does not fit one segment: shorten it
        prompt = prompt[: max(0, len(prompt) - (len(packet) - room) - 16)] + "…"
        packet = xmp_packet(prompt=prompt, model=model, link=link)
    segment = b"\xff\xe1" + struct.pack(">H", 2 + len(JPEG_XMP_ID) + len(packet)) + JPEG_XMP_ID + packet
    at = 2
    if data[2:4] == b"\xff\xe0":  # JFIF's APP0 must stay first
        at = 4 + struct.unpack(">H", data[4:6])[0]
    return data[:at] + segment + data[at:]


# --- WebP -----------------------------------------------------------------------------------------

VP8X_XMP = 0x04
VP8X_ALPHA = 0x10


def _webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise CannotAddDetails("The stored WebP is not a RIFF/WEBP file.")
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        chunks.append((kind, data[at + 8:at + 8 + size]))
        at += 8 + size + (size & 1)
    return chunks


def _webp(data: bytes, packet: bytes, width: int | None, height: int | None) -> bytes:
    chunks = [(kind, payload) for kind, payload in _webp_chunks(data) if kind != b"XMP "]
    if chunks and chunks[0][0] == b"VP8X":
        header = bytearray(chunks[0][1])
        header[0] |= VP8X_XMP
        chunks[0] = (b"VP8X", bytes(header))
    else:
        if not width or not height:
            raise CannotAddDetails("A simple WebP needs its canvas size to take metadata.")
        alpha = VP8X_ALPHA if chunks and chunks[0][0] == b"VP8L" and chunks[0][1][4] & 0x10 else 0
        size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
        chunks.insert(0, (b"VP8X", bytes([VP8X_XMP | alpha, 0, 0, 0]) + size))
    chunks.append((b"XMP ", packet))
    body = b"".join(kind + struct.pack("<I", len(p)) + p + (b"\x00" if len(p) & 1 else b"") for kind, p in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body
