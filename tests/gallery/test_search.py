"""Search: words of the prompt or the revised prompt, only among images the person may see."""
import pytest
from django.db import connection
from django.urls import reverse

from studio.gallery import search


def _ids(client, q):
    response = client.get(reverse("gallery:search"), {"q": q})
    assert response.status_code == 200
    return {i.pk for i in response.context["images"]}


def test_finds_by_prompt_and_revised_prompt(client, people, team, make_image):
    a = make_image(people["owner"], team, prompt="a lighthouse on a cliff")
    b = make_image(people["teammate"], team, prompt="stormy sea", revised_prompt="Waves crash under a lighthouse beam")
    make_image(people["owner"], team, prompt="a teapot")
    client.force_login(people["viewer"])
    assert _ids(client, "lighthouse") == {a.pk, b.pk}
    assert _ids(client, "Lighthouse cliff") == {a.pk}
    assert _ids(client, "waves") == {b.pk}
    assert _ids(client, "unicorn") == set()


def test_results_respect_permissions(client, people, team, make_image):
    shared = make_image(people["owner"], team, prompt="the shared harbour")
    private = make_image(people["owner"], None, prompt="the private harbour")
    trashed = make_image(people["owner"], team, prompt="the trashed harbour")
    from studio.gallery import services

    services.trash_image(trashed)
    client.force_login(people["owner"])
    assert _ids(client, "harbour") == {shared.pk, private.pk}
    client.force_login(people["teammate"])
    assert _ids(client, "harbour") == {shared.pk}
    client.force_login(people["outsider"])
    assert _ids(client, "harbour") == set()


def test_empty_query_shows_nothing(client, people, team, make_image):
    make_image(people["owner"], team)
    client.force_login(people["owner"])
    assert _ids(client, "   ") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgres_query_uses_the_index_expression(people, team, make_image):
    """The planner matches an expression index only on an identical expression: compare them as
    PostgreSQL itself prints them. (On a tiny table it rightly prefers other plans; the benchmark
    shows the index at work on a million rows.)"""
    from studio.gallery.models import Image

    make_image(people["owner"], team, prompt="an owl")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'image_search_scoped'")
        definition = cursor.fetchone()[0]
    assert "USING gin" in definition
    expression = definition.split("USING gin (", 1)[1].rsplit(") WHERE", 1)[0][1:-1]  # without the index-column parens
    plan = search.matching(Image.objects.visible_to(people["teammate"]), "owl", people["teammate"]).explain()
    assert expression + " @@ " in plan


def test_scope_words_in_a_prompt_reveal_nothing(client, people, team, make_image):
    """Someone typing "o1 t1" into a prompt must not widen anybody's search: visible_to decides."""
    make_image(people["outsider"], None, prompt=f"o{people['owner'].pk} t{team.pk} secret")
    client.force_login(people["owner"])
    assert _ids(client, "secret") == set()


def test_results_show_the_prompt_with_the_words_marked(client, people, team, make_image):
    make_image(people["owner"], team, prompt="a <b>quiet</b> harbour at dawn, fishing boats")
    make_image(people["teammate"], team, prompt="stormy sea", revised_prompt="Waves crash under a lighthouse beam")
    client.force_login(people["owner"])
    page = client.get(reverse("gallery:search"), {"q": "boat"}).content.decode()
    assert "a &lt;b&gt;quiet&lt;/b&gt; harbour at dawn, fishing <mark>boats</mark>" in page  # escaped, whole word marked
    page = client.get(reverse("gallery:search"), {"q": "lighthouse"}).content.decode()
    assert '<span class="muted">Revised:</span> Waves crash under a <mark>lighthouse</mark> beam' in page


def test_long_prompts_are_cut_around_the_match():
    from studio.gallery.templatetags.gallery_search import LENGTH, snippet

    prompt = " ".join(["word"] * 40) + " a lighthouse " + " ".join(["tail"] * 40)
    found = snippet(prompt, "", "lighthouse -fog OR")
    assert found.matched and not found.revised
    assert "<mark>lighthouse</mark>" in found.html
    assert found.html.startswith("…") and found.html.endswith("…")
    assert len(str(found.html).replace("<mark>", "").replace("</mark>", "")) <= LENGTH + 2
    assert snippet("a teapot", "", "unicorn").matched is False


# --- highlighting costs what the snippet shows, not what the prompt holds ---------------------------
# A 32,000-character word made `\w*(?:words)\w*` backtrack for seconds. The work is counted here (how many
# characters the snippet's pattern is asked to look at, and how often), never timed.

LONG_WORD = "z" * 32_000


class CountingPattern:
    """Stands in for the snippet's compiled pattern and adds up the characters each call may look at."""

    def __init__(self, pattern):
        self.pattern, self.calls, self.scanned = pattern, 0, 0

    def _count(self, text, pos, endpos):
        self.calls += 1
        self.scanned += max(0, min(len(text), endpos) - pos)

    def search(self, text, pos=0, endpos=10**9):
        self._count(text, pos, endpos)
        return self.pattern.search(text, pos, endpos)

    def finditer(self, text, pos=0, endpos=10**9):
        self._count(text, pos, endpos)
        return self.pattern.finditer(text, pos, endpos)


@pytest.fixture
def counting(monkeypatch):
    from studio.gallery.templatetags import gallery_search

    made = []
    real = gallery_search._pattern

    def spy(words):
        pattern = real(words)
        made.append(CountingPattern(pattern) if pattern is not None else None)
        return made[-1]

    monkeypatch.setattr(gallery_search, "_pattern", spy)
    return made


def test_a_32000_character_word_costs_a_bounded_scan(counting):
    from studio.gallery.templatetags.gallery_search import LENGTH, SCAN_LIMIT, snippet

    found = snippet(LONG_WORD + " a lighthouse and a boat", "A lighthouse beside a boat.", "lighthouse boat")
    pattern = counting[0]
    # The prompt is looked at up to SCAN_LIMIT characters, the revised prompt whole (it is short), and the
    # shown snippet once more to mark it.
    assert pattern.scanned <= SCAN_LIMIT + len("A lighthouse beside a boat.") + 2 * (LENGTH + 2)
    assert pattern.calls <= 8
    assert found.revised and "<mark>lighthouse</mark> beside a <mark>boat</mark>" in found.html


def test_marking_a_long_word_is_linear(counting):
    """Inside one 32,000-character word made of the word searched for, each character is looked at once:
    one search finds the word, and the scan goes on from its end (no restart at every position)."""
    from studio.gallery.templatetags.gallery_search import _pattern, _whole_words

    text = "boat" * 8_000
    pattern = _pattern(["boat", "lighthouse"])
    assert list(_whole_words(text, pattern)) == [(0, len(text))]
    assert pattern.calls <= 2 and pattern.scanned <= len(text)


def test_the_search_page_marks_a_result_whose_prompt_holds_a_huge_word(client, people, team, make_image, counting):
    make_image(people["owner"], team, prompt=LONG_WORD + " lighthouse boat", revised_prompt="A lighthouse, a boat.")
    client.force_login(people["teammate"])
    page = client.get(reverse("gallery:search"), {"q": "lighthouse boat"}).content.decode()
    assert '<span class="muted">Revised:</span> A <mark>lighthouse</mark>, a <mark>boat</mark>.' in page
    from studio.gallery.templatetags.gallery_search import SCAN_LIMIT

    assert sum(p.scanned for p in counting) <= 2 * SCAN_LIMIT
