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
