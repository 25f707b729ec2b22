"""The stand-in's "safety system": prompts with a configured blocked word are refused, with each
contract's own error."""

from __future__ import annotations

import re

from .api_types import ApiError
from .model_table import ModelSpec


def blocked_word(prompt: str, blocked: tuple[str, ...]) -> str | None:
    words = set(re.findall(r"[\w-]+", prompt.lower()))
    for word in blocked:
        if word in words:
            return word
    return None


def moderation_error(model: ModelSpec) -> ApiError:
    if model.moderation_code == "moderation_blocked":
        return ApiError(
            "Your request was rejected by the safety system. If you believe this is an error, contact us "
            "at help.openai.com and include the request ID.",
            param=None,
            code="moderation_blocked",
            type="image_generation_user_error",
        )
    return ApiError(
        "Your request was rejected as a result of our safety system. Your prompt may contain text that is "
        "not allowed by our safety system.",
        param=None,
        code="content_policy_violation",
    )
