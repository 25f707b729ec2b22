"""`--c2pa`: the stand-in signs its final pictures with C2PA content credentials from a chain it
makes at start, and says what it sent (sha256 per picture) in /_standin/requests (issue 20)."""

import base64
import hashlib
import io
import json

import c2pa
import pytest
import requests

from studio.standin.config import StandinConfig, build_parser, config_from_options
from studio.standin.content_credentials import ContentCredentials
from studio.standin.testing import standin_in_thread

from .conftest import make_client, striped


@pytest.fixture(scope="module")
def signing():
    with standin_in_thread(StandinConfig(c2pa=True)) as server:
        yield server


def _report(data: bytes, mime: str, root_pem: bytes | None):
    settings = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if root_pem:
        settings["trust"] = {"trust_anchors": root_pem.decode()}
    reader = c2pa.Reader.try_create(mime, io.BytesIO(data), context=c2pa.Context.from_dict(settings))
    if reader is None:
        return None, None
    with reader:
        report = json.loads(reader.json())
        return report["manifests"][report["active_manifest"]], reader.get_validation_state()


def _root(server) -> bytes:
    response = requests.get(server.root_url + "/_standin/c2pa/root.pem", timeout=5)
    assert response.status_code == 200 and response.content.startswith(b"-----BEGIN CERTIFICATE-----")
    return response.content


@pytest.mark.parametrize("fmt", ["png", "webp", "jpeg"])
def test_generations_are_signed_as_made_by_a_trained_model(signing, fmt):
    client = make_client(signing.base_url)
    result = client.images.generate(model="gpt-image-2", prompt="harbour at noon", size="1024x1024", quality="low",
                                    output_format=fmt)
    data = base64.b64decode(result.data[0].b64_json)
    manifest, state = _report(data, f"image/{fmt}", _root(signing))
    assert state == "Trusted"
    assert manifest["signature_info"]["issuer"] == "Studio stand-in (not OpenAI)"
    assert manifest["claim_generator_info"][0]["name"] == "Studio stand-in"
    actions = [a for assertion in manifest["assertions"] if assertion["label"].startswith("c2pa.actions")
               for a in assertion["data"]["actions"]]
    assert actions[0]["action"] == "c2pa.created"
    assert actions[0]["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert _report(data, f"image/{fmt}", None)[1] == "Valid"  # intact, but nobody said to trust the root
    sent = signing.requests(endpoint="generations", last=1)[0]["outputs"]
    assert sent == [{"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}]


def test_url_answers_and_edits_are_signed_with_the_input_as_ingredient(signing):
    client = make_client(signing.base_url)
    url = client.images.generate(model="dall-e-2", prompt="a lighthouse", size="256x256").data[0].url
    downloaded = requests.get(url, timeout=5).content
    assert _report(downloaded, "image/png", _root(signing))[1] == "Trusted"
    assert signing.requests(endpoint="generations", last=1)[0]["outputs"][0]["sha256"] == \
        hashlib.sha256(downloaded).hexdigest()

    source = io.BytesIO()
    striped((256, 256), hole=(0, 0, 128, 128)).save(source, "PNG")
    edited = client.images.edit(model="dall-e-2", image=("s.png", source.getvalue(), "image/png"), prompt="boats",
                                size="256x256", response_format="b64_json")
    manifest, state = _report(base64.b64decode(edited.data[0].b64_json), "image/png", _root(signing))
    assert state == "Trusted"
    assert [i["relationship"] for i in manifest["ingredients"]] == ["parentOf"]
    actions = [a["action"] for assertion in manifest["assertions"] if assertion["label"].startswith("c2pa.actions")
               for a in assertion["data"]["actions"]]
    assert actions == ["c2pa.opened", "c2pa.edited"]


def test_partial_images_stay_unsigned_and_the_final_one_is_signed(signing):
    client = make_client(signing.base_url)
    events = list(client.images.generate(model="gpt-image-2", prompt="a kite", size="1024x1024", quality="low",
                                         stream=True, partial_images=1))
    partial, final = events[0], events[-1]
    assert _report(base64.b64decode(partial.b64_json), "image/png", None) == (None, None)
    assert _report(base64.b64decode(final.b64_json), "image/png", _root(signing))[1] == "Trusted"


def test_without_the_flag_nothing_is_signed(standin):
    client = make_client(standin.base_url)
    data = base64.b64decode(client.images.generate(model="gpt-image-2", prompt="a kite", size="1024x1024",
                                                   quality="low").data[0].b64_json)
    assert _report(data, "image/png", None) == (None, None)
    assert requests.get(standin.root_url + "/_standin/c2pa/root.pem", timeout=5).status_code == 404


def test_the_flags_and_a_kept_chain(tmp_path):
    _, _, config = config_from_options(build_parser().parse_args(["--c2pa-dir", str(tmp_path / "chain")]))
    assert config.c2pa is True and config.c2pa_dir == str(tmp_path / "chain")
    _, _, config = config_from_options(build_parser().parse_args(["--c2pa"]))
    assert config.c2pa is True and config.c2pa_dir is None
    assert config_from_options(build_parser().parse_args([]))[2].c2pa is False
    first = ContentCredentials.start(tmp_path / "chain")
    again = ContentCredentials.start(tmp_path / "chain")
    assert first.root_pem == again.root_pem == (tmp_path / "chain" / "root.pem").read_bytes()
    assert oct((tmp_path / "chain" / "signer.key").stat().st_mode & 0o777) == "0o600"
    assert ContentCredentials.start().root_pem != first.root_pem  # without a folder, a new chain per start
