"""RFC 6238 codes for tests that stand in for a person's authenticator app."""
import base64
import hashlib
import hmac
import struct
import time


def totp_at(secret: str, when: float, *, digits: int = 6, period: int = 30) -> str:
    counter = int(when // period)
    digest = hmac.new(base64.b32decode(secret.upper() + "=" * (-len(secret) % 8)), struct.pack(">Q", counter),
                      hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def totp_now(secret: str) -> str:
    return totp_at(secret, time.time())
