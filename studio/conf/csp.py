"""The Content Security Policy (django-csp 4): scripts, styles, images and connections from Studio itself.

No inline script or style anywhere (templates keep behaviour in static/studio/*.js, htmx's indicator style
is in app.css), so neither 'unsafe-inline' nor 'unsafe-eval' is needed. Images also come from `blob:`
(the mask brush previews a chosen file) and, with S3, from the storage's presigned URLs: an <img> that
Studio redirects to the bucket is checked against img-src after the redirect.
"""
from urllib.parse import urlparse


def storage_origin(*, bucket: str, endpoint_url: str, region: str) -> str:
    """Where presigned image URLs point: the endpoint's origin (MinIO, any S3), else AWS's."""
    if not bucket:
        return ""
    if endpoint_url:
        parts = urlparse(endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://s3.{region}.amazonaws.com" if region else "https://s3.amazonaws.com"


def content_security_policy(*, presign_origin: str = "") -> dict:
    images = ["'self'", "blob:"] + ([presign_origin] if presign_origin else [])
    return {"DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }}
