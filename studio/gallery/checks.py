"""A start-up check: a trust list that cannot be read says so, instead of quietly trusting no signer.

Registered by apps.GalleryConfig.ready().
"""
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core import checks


def trust_anchors_load(app_configs=None, **kwargs):
    name = settings.STUDIO_C2PA_TRUST_ANCHORS
    if not name:
        return []
    try:
        certificates = x509.load_pem_x509_certificates(Path(name).read_bytes())
    except OSError as exc:
        return [checks.Error(f"STUDIO_C2PA_TRUST_ANCHORS names {name}, which cannot be read ({exc.strerror}).",
                             id="gallery.E001")]
    except ValueError:
        return [checks.Error(f"STUDIO_C2PA_TRUST_ANCHORS names {name}, which holds no PEM certificates.",
                             id="gallery.E002")]
    if not certificates:
        return [checks.Error(f"STUDIO_C2PA_TRUST_ANCHORS names {name}, which holds no PEM certificates.",
                             id="gallery.E002")]
    return []
