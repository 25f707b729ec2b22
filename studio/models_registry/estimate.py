"""The estimate line beside Generate: what the options a person chose would cost, in one sentence."""
from __future__ import annotations

from typing import Mapping

from .pricing import estimate_cost
from .registry import UnknownModel, get_model

# Form fields that are not options of the request.
_NOT_OPTIONS = ("model", "operation", "team")


def describe_estimate(query: Mapping[str, str], *, standin: bool = False) -> str:
    """'Estimated cost: $0.040' for the options in `query`, or '' when they are not complete yet.

    With the local stand-in the figure is the list price, and says that nobody is charged."""
    try:
        spec = get_model(query.get("model", ""))
    except UnknownModel:
        return ""
    operation = query.get("operation", "generate")
    params = {k: v for k, v in query.items() if k not in _NOT_OPTIONS and v != ""}
    if "n" in params:
        try:
            params["n"] = int(params["n"])
        except ValueError:
            return ""
    try:
        # No figure for options the model would refuse: a price for "100x1000" would mislead.
        # Only the options asked about count: the prompt and the pictures are not part of an estimate.
        if any(p.field in params for p in spec.problems(operation, {"prompt": "x", **params})):
            return ""
        cost = estimate_cost(spec, operation, params)
    except Exception:  # noqa: BLE001 - half-typed options are normal while a person edits the form
        return ""
    if cost is None:
        return ""
    # With "auto" the model picks quality or size itself; the registry prices the dearest it may
    # pick, so the figure is a ceiling, and the page says so.
    effective = {**spec.defaults(operation), **params}
    ceiling = "auto" in (str(effective.get("quality")), str(effective.get("size")))
    price = f"${cost:.3f}" + (" list price (stand-in, not charged)" if standin else "")
    if not ceiling:
        return f"Estimated cost: {price}"
    return (f"Estimated cost: up to {price}. With \"auto\" the model chooses, so this is the most it may cost: "
            "Studio holds that much against your budget and charges what the model used")
