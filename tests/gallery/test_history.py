"""Prompt history: every prompt of the team, who and when, its images, and "Use again"."""
from urllib.parse import parse_qs, urlparse

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_team_history_lists_prompts_with_their_images(client, people, team, make_image):
    a = make_image(people["owner"], team, prompt="a copper owl", revised_prompt="A detailed copper owl.",
                   model="dall-e-3", params={"size": "1024x1024", "quality": "hd", "style": "vivid", "n": 1})
    b = make_image(people["teammate"], team, prompt="a paper tram")
    client.force_login(people["viewer"])
    response = client.get(reverse("generation:team_history", args=[team.slug]))
    jobs = response.context["jobs"]
    assert [j.pk for j in jobs] == [b.job_id, a.job_id]
    assert [i.pk for i in jobs[1].visible_images] == [a.pk]
    html = response.content.decode()
    assert "A detailed copper owl." in html and "teammate" in html and "Quality: HD" in html
    use_again = urlparse(jobs[1].use_again_url)
    assert use_again.path == reverse("generation:new")
    query = parse_qs(use_again.query)
    assert query == {"prompt": ["a copper owl"], "model": ["dall-e-3"], "size": ["1024x1024"], "n": ["1"],
                     "quality": ["hd"], "style": ["vivid"], "team": [str(team.pk)]}


def test_history_hides_what_you_may_not_see(client, people, team, make_image):
    make_image(people["owner"], None, prompt="my private prompt")
    client.force_login(people["teammate"])
    html = client.get(reverse("generation:team_history", args=[team.slug])).content.decode()
    assert "my private prompt" not in html
    client.force_login(people["owner"])
    assert "my private prompt" in client.get(reverse("generation:history")).content.decode()


def test_history_queries_are_constant(client, people, team, make_image):
    client.force_login(people["owner"])
    url = reverse("generation:team_history", args=[team.slug])
    counts = []
    for n in (1, 6):
        while len(client.get(url).context["jobs"]) < n:
            make_image(people["owner"], team, stored=False)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
