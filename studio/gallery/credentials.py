"""C2PA content credentials: read an image's manifest store and keep a summary a page can show.

The provider's bytes are read as stored (never re-encoded), offline (no remote manifests, no OCSP),
against the trust list operators name in STUDIO_C2PA_TRUST_ANCHORS. Whatever the manifest holds, or
fails to hold, the answer is a summary: reading credentials never raises, so it can never fail a store.

Summary states: "valid" (intact, signer chains to a trusted root), "untrusted" (intact, but the
signer is not on the trust list), "invalid" (tampered, broken or unreadable; `failures` says why).
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import c2pa
from django.conf import settings
from django.utils.dateparse import parse_datetime

log = logging.getLogger(__name__)

UNTRUSTED_CODE = "signingCredential.untrusted"
UNREADABLE_CODE = "manifest.unreadable"

# IPTC digital source types (http://cv.iptc.org/newscodes/digitalsourcetype/...) in words.
SOURCE_TYPES = {
    "trainedAlgorithmicMedia": "Made by a trained AI model",
    "compositeWithTrainedAlgorithmicMedia": "Combines other media with AI-made content",
    "algorithmicMedia": "Made by an algorithm",
    "compositeSynthetic": "A composite including synthetic elements",
    "digitalCapture": "Captured by a camera",
    "digitalCreation": "Made with digital tools",
    "composite": "A composite of several sources",
}
STATES = {
    "valid": "Valid, signed by a trusted signer",
    "untrusted": "Intact, but the signer is not on Studio's trust list",
    "invalid": "Invalid: the picture or its credentials were changed or are broken",
}


def reader_version() -> str:
    return f"c2pa-python {c2pa.__version__}"


def absent() -> dict:
    return {"present": False, "reader": reader_version()}


def read_credentials(path, content_type: str) -> dict:
    """The summary of the manifest store embedded in the file at `path` (its bytes as stored)."""
    try:
        with open(path, "rb") as stream:
            reader = c2pa.Reader.try_create(content_type, stream, context=_context())
            if reader is None:
                return absent()
            with reader:
                report = json.loads(reader.json())
                state = reader.get_validation_state()
    except c2pa.C2paError.NotSupported:
        return {**absent(), "unsupported": True}
    except c2pa.C2paError as exc:
        log.info("credentials of %s could not be read: %s", path, exc)
        return broken(f"{type(exc).__name__.lstrip('_')}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a native reader may fail in ways of its own; never the store
        log.warning("credentials of %s: the reader failed", path, exc_info=True)
        return broken(f"{type(exc).__name__}: {exc}")
    return summarise(report, state)


def broken(explanation: str) -> dict:
    return {"present": True, "state": "invalid", "reader": reader_version(),
            "failures": [{"code": UNREADABLE_CODE, "explanation": explanation[:300]}]}


def summarise(report: dict, state: str | None) -> dict:
    """What Studio keeps of a c2pa-python report: the active manifest, in plain fields."""
    manifest = report.get("manifests", {}).get(report.get("active_manifest") or "", {})
    results = (report.get("validation_results") or {}).get("activeManifest") or {}
    failures = results.get("failure")
    if failures is None:  # older reports list only the problems, all together
        failures = report.get("validation_status") or []
    failures = [{"code": f.get("code", ""), "explanation": f.get("explanation", "")} for f in failures]
    codes = {f["code"] for f in failures}
    if (state or "").lower() == "trusted":
        verdict = "valid"
    elif (state or "").lower() == "valid" or codes == {UNTRUSTED_CODE}:
        verdict = "untrusted"
    else:
        verdict = "invalid"
    generator = (manifest.get("claim_generator_info") or [{}])[0]
    signature = manifest.get("signature_info") or {}
    return {
        "present": True,
        "state": verdict,
        "failures": [f for f in failures if verdict == "invalid" or f["code"] != UNTRUSTED_CODE],
        "title": manifest.get("title", ""),
        "claim_generator": {"name": generator.get("name", "") or manifest.get("claim_generator", ""),
                            "version": str(generator.get("version", "") or "")},
        # c2pa-rs names the signing certificate's organisation "issuer" (its subject's O).
        "signer": {"organisation": signature.get("issuer", ""), "common_name": signature.get("common_name", ""),
                   "algorithm": signature.get("alg", "")},
        "signed_at": signature.get("time"),  # only when a time-stamp authority countersigned
        "actions": _actions(manifest),
        "ingredients": [{"title": i.get("title", ""), "relationship": i.get("relationship", ""),
                         "format": i.get("format", "")} for i in manifest.get("ingredients") or []],
        "manifests": len(report.get("manifests") or {}),
        "reader": reader_version(),
    }


def _actions(manifest: dict) -> list[dict]:
    found = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            agent = action.get("softwareAgent")
            if isinstance(agent, dict):
                agent = " ".join(str(agent.get(k, "")) for k in ("name", "version")).strip()
            source = str(action.get("digitalSourceType") or "")
            found.append({"action": action.get("action", ""), "digital_source_type": source.rsplit("/", 1)[-1],
                          "software_agent": agent or "", "when": action.get("when") or None})
    return found


def describe(summary: dict) -> dict:
    """Words for the page: the state, the signing time as a datetime, each action's source type."""
    return {
        "state": STATES.get(summary.get("state", ""), ""),
        "signed_at": parse_datetime(summary["signed_at"]) if summary.get("signed_at") else None,
        "actions": [{**a, "action_words": a["action"].removeprefix("c2pa.").replace("_", " "),
                     "source_words": SOURCE_TYPES.get(a["digital_source_type"], a["digital_source_type"])}
                    for a in summary.get("actions") or []],
    }


# --- the trust list -------------------------------------------------------------------------------

_trust_lock = threading.Lock()
_trust_cache: dict = {}


def trust_anchors() -> str:
    """The PEM bundle operators named, re-read when the file changes; "" when none is set."""
    name = settings.STUDIO_C2PA_TRUST_ANCHORS
    if not name:
        return ""
    path = Path(name)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        log.error("STUDIO_C2PA_TRUST_ANCHORS names %s, which cannot be read; no signer counts as trusted", path)
        return ""
    with _trust_lock:
        if _trust_cache.get("key") != (name, stamp):
            _trust_cache.update(key=(name, stamp), pem=path.read_text())
        return _trust_cache["pem"]


def _context() -> c2pa.Context:
    verify = {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}
    anchors = trust_anchors()
    # Without anchors c2pa-rs has no roots of its own, so every signer shows as untrusted.
    return c2pa.Context.from_dict({"verify": verify, **({"trust": {"trust_anchors": anchors}} if anchors else {})})
