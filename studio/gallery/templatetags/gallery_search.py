"""`{% search_snippet image query as snippet %}`: a search result's prompt, cut around the first match,
with the words searched for marked. When only the revised prompt matches, the snippet is from it.

Pure string work on fields the search page already loaded (selectors.search_page): no queries.
"""
import re
from dataclasses import dataclass

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from studio.gallery.search import clean_query

register = template.Library()

LENGTH = 90  # characters of prompt shown under a thumbnail
LEAD = 30  # characters kept before the first match when the prompt has to be cut
SUFFIXES = ("ing", "es", "ed", "s")  # PostgreSQL's stemmer matches "boats" with "boat": look for the stem too


@dataclass
class Snippet:
    html: SafeString
    revised: bool  # the snippet is from the revised prompt
    matched: bool


def _words(query: str) -> list[str]:
    words = []
    for word in clean_query(query).replace('"', " ").split():
        if word.startswith("-") or word.upper() == "OR":
            continue  # excluded words and the OR operator are not in the results' text
        word = word.strip(".,;:!?()'")
        if word:
            words.append(word)
            for suffix in SUFFIXES:
                if word.lower().endswith(suffix) and len(word) - len(suffix) >= 3:
                    words.append(word[: -len(suffix)])
                    break
    return words


def _pattern(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    # Whole words are marked: "boats" for "boat", "lighthouse" for the stem "lighthous".
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"\w*(?:{alternatives})\w*", re.IGNORECASE)


def _cut(text: str, start: int) -> str:
    """About LENGTH characters of `text`, starting a little before `start`, cut at spaces, with ellipses."""
    if len(text) <= LENGTH:
        return text
    begin = 0
    if start > LENGTH - LEAD:  # the match would be cut off: start a few words before it
        begin = text.rfind(" ", 0, start - LEAD) + 1
    end = begin + LENGTH
    if end < len(text):
        space = text.rfind(" ", begin + LENGTH // 2, end)
        end = space if space > 0 else end
    return ("…" if begin else "") + text[begin:end].strip() + ("…" if end < len(text) else "")


def _mark(text: str, pattern: re.Pattern | None) -> SafeString:
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(prompt: str, revised_prompt: str, query: str) -> Snippet:
    pattern = _pattern(_words(query))
    for text, revised in ((prompt or "", False), (revised_prompt or "", True)):
        found = pattern.search(text) if pattern and text else None
        if found:
            return Snippet(_mark(_cut(text, found.start()), pattern), revised, True)
    return Snippet(escape(_cut(prompt or "", 0)), False, False)


@register.simple_tag
def search_snippet(image, query):
    return snippet(image.prompt, getattr(image, "revised_prompt", ""), query)
