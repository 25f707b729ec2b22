"""C2PA for tests: certificate chains made here with `cryptography`, and pictures signed with them.

Independent of the stand-in's own signer (studio/standin/content_credentials.py) on purpose: the
reader is tested against chains it has never seen, trusted and not.
"""
import datetime
import io
import json
import struct
import zlib
from dataclasses import dataclass

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AI_MADE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@dataclass(frozen=True)
class Chain:
    root_pem: bytes
    chain_pem: bytes
    key_pem: bytes


def make_chain(organisation="Harbour Images Ltd", common_name="Harbour signing key") -> Chain:
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key, leaf_key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} test root"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])

    def usage(**on):
        names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                 "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
        return x509.KeyUsage(**{name: on.get(name, False) for name in names})

    def builder(subject, key):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(root_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=30)))

    root = (builder(root_name, root_key).add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA384()))
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])
    leaf = (builder(leaf_name, leaf_key).add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA384()))
    pem = lambda cert: cert.public_bytes(serialization.Encoding.PEM)  # noqa: E731
    key = leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return Chain(pem(root), pem(leaf) + pem(root), key)


def sign(data: bytes, chain: Chain, *, mime="image/png", generator=("Harbour Generator", "4.2"),
         ingredient: bytes | None = None) -> bytes:
    """`data` with a C2PA manifest: created by a trained model, or (with `ingredient`) edited from it."""
    if ingredient is None:
        actions = [{"action": "c2pa.created", "digitalSourceType": AI_MADE, "softwareAgent": {"name": "harbour-1"}}]
    else:
        actions = [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}},
                   {"action": "c2pa.edited", "digitalSourceType": AI_MADE}]
    manifest = {"claim_generator_info": [{"name": generator[0], "version": generator[1]}], "title": "picture",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                                      "verify": {"verify_after_sign": False}})
    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES384, chain.chain_pem, chain.key_pem, None)
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest, context=context) as builder:
        if ingredient is not None:
            builder.add_ingredient(json.dumps({"title": "the harbour sketch", "relationship": "parentOf",
                                               "label": "parent"}), mime, io.BytesIO(ingredient))
        out = io.BytesIO()
        builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


def corrupt_manifest(signed: bytes) -> bytes:
    """The same PNG, still a valid one (its chunk CRC redone), with bytes inside its C2PA (caBX) chunk
    flipped: a manifest store that cannot be parsed."""
    at = signed.index(b"caBX")
    length = struct.unpack(">I", signed[at - 4:at])[0]
    payload = bytearray(signed[at + 4:at + 4 + length])
    for offset in range(150, 170):
        payload[offset] ^= 0xFF
    chunk = b"caBX" + bytes(payload)
    return signed[:at] + chunk + struct.pack(">I", zlib.crc32(chunk)) + signed[at + 8 + length:]


def tamper(signed: bytes) -> bytes:
    """The same PNG, still a valid one, with a text chunk slipped in: the manifest no longer matches."""
    payload = b"Comment\x00changed after signing"
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload + struct.pack(">I", zlib.crc32(b"tEXt" + payload))
    end = signed.rindex(b"IEND") - 4
    return signed[:end] + chunk + signed[end:]
