"""What a successful image answer reports besides the pictures: token usage (gpt-image models)
and dall-e-3's revised prompt."""

from __future__ import annotations

import math

from .api_types import Request

# Output tokens for one 1024x1024 image per quality; scaled by area.
OUTPUT_TOKENS_1024 = {"low": 272, "medium": 1056, "high": 4160, "xhigh": 6240, "max": 8320}


def usage(req: Request) -> dict:
    """Plausible, deterministic token counts from prompt length, input images, size and quality."""
    text_tokens = max(1, math.ceil(len(req.prompt) / 4))
    image_tokens = 0
    for img in req.images:
        tiles = math.ceil(img.width / 512) * math.ceil(img.height / 512)
        image_tokens += 65 + 129 * tiles
    if req.input_fidelity == "high":
        image_tokens *= 2
    if req.mask is not None:
        image_tokens += 65
    per_image = round(OUTPUT_TOKENS_1024.get(req.quality, 1056) * req.width * req.height / (1024 * 1024))
    output_tokens = per_image * req.n
    input_tokens = text_tokens + image_tokens
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
        "output_tokens": output_tokens,
        "output_tokens_details": {"image_tokens": output_tokens, "text_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def revised_prompt(prompt: str, style: str | None) -> str:
    """dall-e-3 rewrites every prompt; make the rewrite visibly different but faithful."""
    mood = "dramatic, hyper-real lighting" if style != "natural" else "soft, natural light"
    return f"A detailed illustration of {prompt.strip().rstrip('.')}, composed with {mood} and a rich colour palette."
