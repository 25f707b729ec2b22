from html import unescape

import pytest

from .factories import stored_image

pytestmark = pytest.mark.django_db


def test_use_again_on_the_image_page_fills_the_form_with_the_same_prompt_and_options(client, people, team):
    image = stored_image(people["owner"], team=team, prompt="a lighthouse at dusk", revised_prompt="A tall lighthouse")
    client.force_login(people["teammate"])
    page = unescape(client.get(image.get_absolute_url()).content.decode())
    assert "Use again" in page and "Use revised prompt" in page
    link = page.split('href="/?prompt=a+lighthouse+at+dusk', 1)[1].split('"', 1)[0]
    assert "model=dall-e-2" in link and "size=256x256" in link and f"team={team.pk}" in link

    form_page = client.get("/?prompt=a+lighthouse+at+dusk" + link).content.decode()
    assert "a lighthouse at dusk</textarea>" in form_page
    assert '<option value="256x256" selected>' in form_page


def test_use_again_reopens_an_edit_or_a_variation_on_the_same_source(client, people, team):
    from studio.generation.models import Job

    source = stored_image(people["owner"], team=team, prompt="a lighthouse at dusk")
    edited = stored_image(people["owner"], team=team, prompt="add a red boat", parent=source)
    Job.objects.filter(pk=edited.job_id).update(kind=Job.Kind.EDIT, source_image=source)
    varied = stored_image(people["owner"], team=team, prompt="", parent=source)
    Job.objects.filter(pk=varied.job_id).update(kind=Job.Kind.VARIATION, source_image=source)
    client.force_login(people["owner"])

    page = unescape(client.get(edited.get_absolute_url()).content.decode())
    assert f'href="/edit/?source={source.pk}&prompt=add+a+red+boat&model=dall-e-2' in page
    edit_page = client.get(f"/edit/?source={source.pk}&prompt=add+a+red+boat&model=dall-e-2").content.decode()
    assert "add a red boat</textarea>" in edit_page

    page = unescape(client.get(varied.get_absolute_url()).content.decode())
    assert f'href="/images/{source.pk}/variation?model=dall-e-2&size=256x256' in page
