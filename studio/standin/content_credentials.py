"""C2PA content credentials for the stand-in's pictures (`--c2pa`), as OpenAI's images carry them.

At start the stand-in makes a certificate chain of its own with `cryptography`: a root CA and a
signing certificate under it (digitalSignature, emailProtection/documentSigning EKUs, not a CA),
so a reader that trusts the root calls the signer trusted, and one that does not says so. With
`--c2pa-dir` the chain is kept there and reused on the next start (the demo's archive stays
trusted); `root.pem` there, or GET /_standin/c2pa/root.pem, is what to put on a trust list.

Each final picture gets a manifest: a `c2pa.created` action with the IPTC digital source type
trainedAlgorithmicMedia (generations), or `c2pa.opened` + `c2pa.edited` with the input image as a
`parentOf` ingredient (edits, variations). Partial images (previews) stay unsigned.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

SIGNER_ORGANISATION = "Studio stand-in (not OpenAI)"
SIGNER_COMMON_NAME = "Stand-in Images API signer"
ROOT_COMMON_NAME = "Studio stand-in root CA"
GENERATOR = {"name": "Studio stand-in", "version": "1.0"}
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
MIME = {"png": "image/png", "webp": "image/webp", "jpeg": "image/jpeg"}
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not sign, crl_sign=not sign,
                         encipher_only=False, decipher_only=False)


def make_chain(*, organisation: str = SIGNER_ORGANISATION, common_name: str = SIGNER_COMMON_NAME,
               days: int = 3650) -> tuple[bytes, bytes, bytes]:
    """(root certificate PEM, signing chain PEM (leaf then root), signing key PEM), all new."""
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = _name(ROOT_COMMON_NAME, organisation)

    def build(subject, key, *, ca: bool, signer_key):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(root_name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
                   .add_extension(_usage(sign=not ca), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
        if not ca:
            builder = (builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                                    DOCUMENT_SIGNING]), critical=False)
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                                      critical=False))
        return builder.sign(signer_key, hashes.SHA256())

    root = build(root_name, root_key, ca=True, signer_key=root_key)
    leaf = build(_name(common_name, organisation), leaf_key, ca=False, signer_key=root_key)
    pem = lambda cert: cert.public_bytes(serialization.Encoding.PEM)  # noqa: E731
    key_pem = leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    return pem(root), pem(leaf) + pem(root), key_pem


class ContentCredentials:
    """Signs pictures with one chain; thread-safe (each signature has its own native signer)."""

    FILES = ("root.pem", "chain.pem", "signer.key")

    def __init__(self, root_pem: bytes, chain_pem: bytes, key_pem: bytes) -> None:
        self.root_pem, self._chain, self._key = root_pem, chain_pem, key_pem

    @classmethod
    def start(cls, directory: str | Path | None = None) -> "ContentCredentials":
        """A new chain, or the one kept in `directory` (made there on the first start)."""
        if directory is None:
            return cls(*make_chain())
        folder = Path(directory)
        paths = [folder / name for name in cls.FILES]
        if not all(path.exists() for path in paths):
            folder.mkdir(parents=True, exist_ok=True)
            for path, data in zip(paths, make_chain()):
                path.write_bytes(data)
            paths[2].chmod(0o600)
        return cls(*(path.read_bytes() for path in paths))

    def sign(self, raw: bytes, fmt: str, *, model: str, endpoint: str, source: Image.Image | None = None) -> bytes:
        """`raw` (an encoded png/webp/jpeg) with a C2PA manifest embedded."""
        mime = MIME[fmt]
        agent = {"name": model}
        if endpoint == "generations" or source is None:
            actions = [{"action": "c2pa.created", "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
                        "softwareAgent": agent}]
        else:
            actions = [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["source"]}},
                       {"action": "c2pa.edited", "digitalSourceType": IPTC + "compositeWithTrainedAlgorithmicMedia",
                        "softwareAgent": agent}]
        manifest = {"claim_generator_info": [GENERATOR], "title": f"{endpoint}.{fmt}",
                    "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}
        context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                                          "verify": {"verify_after_sign": False}})
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, self._chain, self._key, None)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest, context=context) as builder:
            if source is not None and endpoint != "generations":
                small = source.copy()
                small.thumbnail((128, 128))
                buffer = io.BytesIO()
                small.save(buffer, "PNG")
                buffer.seek(0)
                builder.add_ingredient(json.dumps({"title": "input image", "relationship": "parentOf",
                                                   "instance_id": "source", "label": "source"}), "image/png", buffer)
            out = io.BytesIO()
            builder.sign(signer, mime, io.BytesIO(raw), out)
        return out.getvalue()
