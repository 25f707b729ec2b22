"""`{% search_snippet image query as snippet %}`: a search result's prompt, cut around the first match,
with the words searched for marked. When only the revised prompt matches, the snippet is from it.

Linear in what it reads, and it reads at most SCAN_LIMIT characters of each prompt: a prompt is typed
by anyone, and one long word must not make the search page slow for everybody.

Pure string work on fields the search page already loaded (selectors.search_page): no queries.
"""
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from studio.gallery.search import clean_query

register = template.Library()

LENGTH = 90  # characters of prompt shown under a thumbnail
LEAD = 30  # characters kept before the first match when the prompt has to be cut
SUFFIXES = ("ing", "es", "ed", "s")  # PostgreSQL's stemmer matches "boats" with "boat": look for the stem too
# How far into a prompt a snippet looks for the words searched for. Prompts may hold 32,000 characters and
# a page shows 60 results; past this point the snippet shows the prompt's start, unmarked.
SCAN_LIMIT = 2_000
_WORD_CHARACTERS = re.compile(r"\w*")
_is_word_character = re.compile(r"\w").fullmatch


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
    r"""The words searched for, longest first, and nothing else.

    No `\w*` around them: a pattern that starts with `\w*` retries from every character of a long word and
    backtracks over the rest of it (seconds for one 32,000-character word). Whole words are found by
    `_whole_words` instead, growing each match to its word's edges once.
    """
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.IGNORECASE)


def _whole_words(text: str, pattern: re.Pattern, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of every whole word of `text[:end]` that holds a word searched for, left to right.

    Linear: the pattern searches on from where the last word ended, and growing a match to its word's
    edges looks at each character once (back no further than the last word, on no further than `end`).
    So "boats" is marked for "boat" and "lighthouse" for the stem "lighthous".
    """
    end = len(text) if end is None else min(end, len(text))
    position = 0
    while position < end and (found := pattern.search(text, position, end)) is not None:
        start = found.start()
        while start > position and _is_word_character(text[start - 1]):
            start -= 1
        stop = _WORD_CHARACTERS.match(text, found.end(), end).end()
        yield start, stop
        position = stop


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
    for start, stop in _whole_words(text, pattern):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:stop])}</mark>")
        last = stop
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(prompt: str, revised_prompt: str, query: str) -> Snippet:
    pattern = _pattern(_words(query))
    for text, revised in ((prompt or "", False), (revised_prompt or "", True)):
        first = next(_whole_words(text, pattern, end=SCAN_LIMIT), None) if pattern and text else None
        if first:
            return Snippet(_mark(_cut(text, first[0]), pattern), revised, True)
    return Snippet(escape(_cut(prompt or "", 0)), False, False)


@register.simple_tag
def search_snippet(image, query):
    return snippet(image.prompt, getattr(image, "revised_prompt", ""), query)
