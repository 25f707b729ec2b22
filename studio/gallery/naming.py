"""File names for images leaving Studio: downloads and exports share one rule.

`harbour-at-noon-1234.png`: the first words of the prompt and the image's id (which keeps names
unique). The Unicode form keeps the prompt's own letters; the ASCII form, for old clients and the
`filename=` parameter, folds them (é -> e) and falls back to "image" when nothing Latin is left.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.utils.text import slugify

WORDS = 6
MAX_STEM = 40


@dataclass(frozen=True)
class FileName:
    ascii: str
    unicode: str

    def content_disposition(self, disposition: str = "attachment") -> str:
        """RFC 6266: `filename` in ASCII for every client, RFC 5987 `filename*` when the name needs more."""
        header = f'{disposition}; filename="{self.ascii}"'
        if self.unicode != self.ascii:
            header += f"; filename*=UTF-8''{quote(self.unicode, safe='')}"
        return header


def _stem(prompt: str, *, allow_unicode: bool) -> str:
    stem = slugify(" ".join(prompt.split()[:WORDS]), allow_unicode=allow_unicode)
    if len(stem) > MAX_STEM:
        stem = stem[:MAX_STEM].rsplit("-", 1)[0] if "-" in stem[:MAX_STEM] else stem[:MAX_STEM]
    return stem.strip("-_") or "image"


def image_file_name(image, *, suffix: str = "") -> FileName:
    """The name of an image's file (`suffix` marks a derived copy, e.g. "-details")."""
    end = f"-{image.pk}{suffix}.{image.extension}"
    return FileName(ascii=_stem(image.prompt, allow_unicode=False) + end,
                    unicode=_stem(image.prompt, allow_unicode=True) + end)
