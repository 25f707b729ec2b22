""""Test this provider": what a provider can do, asked as cheaply as possible.

Free questions first: its model listing, and a deliberately empty edit and variation request, which a
server that has the endpoint refuses with a 400 (nothing is made, nothing is charged) and one that
lacks it answers 404/405; that 400 is also what its errors look like. Then, only when the operator
confirms, exactly one paid request: the cheapest image the listed models make, streaming when the
model streams, so its answer says whether the provider streams and where its image links point.
Whatever was learned before is forgotten first, so the report is what the provider does today.
"""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlparse

import openai
from django.views.decorators.debug import sensitive_variables

from . import learning
from .errors import classify, scrub
from .pricing import estimate_cost
from .providers import ProviderConfig, available_models, forget_listing, listing, make_client
from .registry import ModelSpec

log = logging.getLogger(__name__)

PROBE_PROMPT = "A small test picture: one red circle on white"
EMPTY_PNG = ("probe.png", b"", "image/png")  # an empty upload: refused by validation, never made


@dataclass
class Report:
    provider: str
    listed: list[str] = field(default_factory=list)
    listing_problem: str = ""
    findings: list[str] = field(default_factory=list)
    paid_model: str = ""
    paid_cost: Decimal | None = None

    def add(self, sentence: str) -> None:
        self.findings.append(sentence)


def cheapest_request(provider: ProviderConfig) -> tuple[ModelSpec, dict, Decimal] | None:
    """The listed model, size and quality that make the cheapest single generated image."""
    best = None
    for spec in available_models(provider):
        if not spec.supports("generate"):
            continue
        qualities = spec.options["quality"].values if "quality" in spec.options else (None,)
        for size in (s for s in spec.sizes if s != "auto"):
            for quality in qualities:
                params = {"n": 1, "size": size, **({"quality": quality} if quality else {})}
                cost = estimate_cost(spec, "generate", params)
                if best is None or cost < best[2]:
                    best = (spec, params, cost)
    return best


def _host_port(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"


def _error_shape(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    inner = body.get("error") if isinstance(body.get("error"), dict) else body
    parts = [f"HTTP {exc.status_code}"] + [f"{k} {scrub(str(inner[k]))!r}" for k in ("code", "type", "param")
                                            if isinstance(inner, dict) and inner.get(k) is not None]
    return ", ".join(parts)


@sensitive_variables()
def _probe_endpoint(client, provider: ProviderConfig, report: Report, endpoint: str, spec: ModelSpec) -> None:
    images = client.images.with_raw_response
    try:
        if endpoint == "variations":
            images.create_variation(image=EMPTY_PNG, model=provider.model_param(spec), n=1)
        else:
            images.edit(image=EMPTY_PNG, prompt=PROBE_PROMPT, model=provider.model_param(spec), n=1)
    except openai.APIStatusError as exc:
        learning.learn_from_answer(provider, exc.response.headers, answered=False)
        failure = classify(exc)
        if failure.code == "endpoint_missing":
            learning.learn_missing_endpoint(provider, endpoint, f"Test this provider: it answered HTTP {exc.status_code}.")
            report.add(f"/v1/images/{endpoint}: not offered (HTTP {exc.status_code}); the forms stop offering it.")
        else:
            report.add(f"/v1/images/{endpoint}: offered (an empty request was refused: {_error_shape(exc)}). "
                       f"Errors are classified as {failure.code}.")
        return
    except openai.APIError as exc:
        report.add(f"/v1/images/{endpoint}: could not be checked ({classify(exc).message})")
        return
    report.add(f"/v1/images/{endpoint}: offered (it even accepted an empty picture).")


@sensitive_variables()
def probe(provider: ProviderConfig, *, paid: bool) -> Report:
    """Ask the provider what it can do; with ``paid``, also make its cheapest image once."""
    learning.forget(provider)
    forget_listing(provider)
    report = Report(provider.name)
    found = listing(provider)
    report.listed = sorted(found.ids or ())
    report.listing_problem = found.problem
    client = make_client(provider, timeout=60.0, max_retries=0)
    models = available_models(provider)
    for endpoint, pick in (("edits", lambda s: s.supports("edit")),
                           ("variations", lambda s: s.supports("variation") and s.variation_via == "endpoint")):
        spec = next((s for s in models if pick(s)), None)
        if endpoint not in provider.endpoints:
            report.add(f"/v1/images/{endpoint}: left out in this provider's endpoints setting; not checked.")
        elif spec is None:
            report.add(f"/v1/images/{endpoint}: no listed model uses it; not checked.")
        else:
            _probe_endpoint(client, provider, report, endpoint, spec)
    if paid:
        _paid_call(client, provider, report)
    facts = learning.facts_for(provider)
    if facts is not None and facts.gateway:
        report.add(f"It is a gateway: {facts.gateway}."
                   + (" It retries upstream itself, so Studio does not retry on top." if facts.retries_itself else ""))
    return report


@sensitive_variables()
def _paid_call(client, provider: ProviderConfig, report: Report) -> None:
    choice = cheapest_request(provider)
    if choice is None:
        report.add("No listed model makes images, so no paid call was made.")
        return
    spec, params, cost = choice
    report.paid_model, report.paid_cost = spec.name, cost
    facts = learning.facts_for(provider)  # the free questions may already have named a gateway that cannot stream
    stream = spec.streams and provider.streaming != "off" and not (facts is not None and facts.streams is False)
    cleaned = {"prompt": PROBE_PROMPT, **params, **({"stream": True, "partial_images": 1} if stream else {})}
    if "response_format" in spec.options:
        cleaned["response_format"] = provider.response_format
    kwargs = spec.api_params("generate", cleaned, model=provider.model_param(spec))
    described = f"{spec.name} {params['size']}" + (f" {params['quality']}" if params.get("quality") else "")
    try:
        raw = client.images.with_raw_response.generate(**kwargs)
    except openai.APIStatusError as exc:
        learning.learn_from_answer(provider, exc.response.headers, answered=False)
        failure = classify(exc)
        report.add(f"The paid call ({described}) failed: {_error_shape(exc)}, classified as {failure.code}.")
        if stream and exc.status_code >= 500:
            learning.learn_not_streaming(provider, f"Test this provider: a streaming request was answered HTTP "
                                                   f"{exc.status_code}.")
            report.add("It fails streaming requests: Studio will ask it without streaming (no second call was "
                       "made).")
        return
    except openai.APIError as exc:
        report.add(f"The paid call ({described}) failed: {classify(exc).message}")
        return
    learning.learn_from_answer(provider, raw.headers, answered=True)
    if stream:
        if "text/event-stream" in raw.headers.get("content-type", ""):
            events = [getattr(event, "type", "") for event in raw.parse()]
            learning.learn_streams(provider)
            report.add(f"Streaming works: {described} arrived as {len(events)} events.")
            return
        learning.learn_not_streaming(provider, "Test this provider: it answered a streaming request with plain JSON.")
        report.add("It ignores stream=true and answers plain JSON: Studio will not ask it for previews.")
    data = _read_json(raw).get("data") or [{}]
    url = data[0].get("url") or ""
    if url:
        where = _host_port(url)
        own = _host_port(provider.base_url) if provider.base_url else ""
        report.add(f"{described} answered with a link on {where}"
                   + (" (its own host)." if where == own else
                      f"; Studio downloads it only if {where} is among this provider's extra download hosts."))
    elif data[0].get("b64_json"):
        size = len(base64.b64decode(data[0]["b64_json"]))
        report.add(f"{described} answered with the image inside the answer ({size:,} bytes, b64_json).")


def _read_json(raw) -> dict:
    """The body of an answer that was requested as a stream (so it has not been read yet)."""
    raw.http_response.read()
    return raw.http_response.json()
