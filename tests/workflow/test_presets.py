"""Presets and the prompt library: save from a job form or a job page, versions, search, use with variables,
the version a job came from, and who may see and change what."""
from urllib.parse import parse_qs, urlparse

import pytest

from studio.audit.models import AuditEvent
from studio.generation.models import Job
from studio.workflow import preset_services
from studio.workflow.models import Preset, PresetUse, fill, variables_in
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db


def _preset(user, team=None, **fields):
    values = {"name": "Product shot", "model": "dall-e-2", "params": {"size": "256x256"},
              "prompt_template": "a {product} on a {colour} table"}
    return preset_services.create_preset(user=user, team=team, **{**values, **fields})


def test_variables_are_plain_names_and_fill_by_substitution():
    assert variables_in("a {product} on {colour}, {product} again, {0} {a.b} {{x}}") == ["product", "colour", "x"]
    assert fill("a {product} in {place}", {"product": "kettle"}) == "a kettle in {place}"
    assert fill("{x.__class__}", {"x": "y"}) == "{x.__class__}"  # no attribute access: not format()


def test_save_as_preset_from_the_generate_form_keeps_model_options_and_prompt(client, people, team):
    client.force_login(people["teammate"])
    # The form's "Save as preset" button posts the job form's own fields to the preset page.
    page = client.post("/presets/new", {"from_form": "1", "prompt": "a {product} on a table", "model": "dall-e-2",
                                        "size": "512x512", "n": "2", "team": str(team.pk)})
    assert page.status_code == 200
    text = page.content.decode()
    assert "a {product} on a table" in text and "size=512x512, n=2" in text
    saved = client.post("/presets/new", {"name": "Table shot", "model": "dall-e-2", "options": "size=512x512, n=2",
                                         "prompt_template": "a {product} on a table", "team": str(team.pk)})
    preset = Preset.objects.get()
    assert saved.status_code == 302 and saved["Location"] == preset.get_absolute_url()
    assert (preset.team, preset.params, preset.version) == (team, {"size": "512x512", "n": 2}, 1)
    assert list(AuditEvent.objects.filter(action__startswith="preset").values_list("action", flat=True)) == ["preset.created"]


def test_save_as_preset_from_a_job_page(client, people):
    image = make_image(people["owner"], prompt="a lighthouse at dusk", params={"size": "256x256", "n": 1})
    client.force_login(people["owner"])
    job_page = client.get(image.job.get_absolute_url()).content.decode()
    assert f"/presets/new?job={image.job_id}" in job_page
    form = client.get(f"/presets/new?job={image.job_id}").content.decode()
    assert "a lighthouse at dusk" in form and "size=256x256, n=1" in form
    client.force_login(people["outsider"])
    assert client.get(f"/presets/new?job={image.job_id}").status_code == 404


def test_bad_input_is_refused_with_a_sentence_and_nothing_is_saved(client, people, team):
    client.force_login(people["owner"])
    page = client.post("/presets/new", {"name": "x", "model": "dall-e-2", "options": "size 512, colour=red",
                                        "prompt_template": "  "})
    assert page.status_code == 422
    text = page.content.decode()
    assert "is not name=value" in text and "A preset needs a prompt." in text
    client.force_login(people["viewer"])  # viewers only use a team's presets
    page = client.post("/presets/new", {"name": "x", "model": "dall-e-2", "prompt_template": "y", "team": str(team.pk)})
    assert page.status_code == 422
    assert not Preset.objects.exists()


def test_edits_keep_every_version_with_who_when_and_what(client, people, team):
    preset = _preset(people["owner"], team)
    client.force_login(people["teammate"])
    response = client.post(f"/presets/{preset.pk}/edit", {"name": "Product shot", "model": "gpt-image-1",
                                                           "options": "size=1024x1024",
                                                           "prompt_template": "a {product} on marble"})
    assert response.status_code == 302
    preset.refresh_from_db()
    assert preset.version == 2
    versions = list(preset.versions.order_by("number"))
    assert [(v.number, v.changed_by.username) for v in versions] == [(1, "owner"), (2, "teammate")]
    assert versions[1].change == "model dall-e-2 → gpt-image-1, options, prompt template"
    assert versions[0].prompt_template == "a {product} on a {colour} table"  # the old words are kept
    page = client.get(preset.get_absolute_url()).content.decode()
    assert "model dall-e-2 → gpt-image-1" in page and "a {product} on a {colour} table" in page
    # Saving what is already there writes no version and no event.
    before = AuditEvent.objects.count()
    client.post(f"/presets/{preset.pk}/edit", {"name": "Product shot", "model": "gpt-image-1",
                                               "options": "size=1024x1024", "prompt_template": "a {product} on marble"})
    assert preset.versions.count() == 2 and AuditEvent.objects.count() == before


def test_viewers_use_team_presets_but_do_not_change_them(client, people, team):
    preset = _preset(people["owner"], team)
    client.force_login(people["viewer"])
    assert client.get(preset.get_absolute_url()).status_code == 200
    client.post(f"/presets/{preset.pk}/edit", {"name": "Hijacked", "model": "dall-e-2", "prompt_template": "x"})
    client.post(f"/presets/{preset.pk}/delete")
    preset.refresh_from_db()
    assert (preset.name, preset.version) == ("Product shot", 1)


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 404), ("viewer", 404), ("outsider", 404)])
def test_a_personal_preset_is_its_authors_alone(client, people, who, status):
    preset = _preset(people["owner"], prompt_template="secret {thing}")
    client.force_login(people[who])
    assert client.get(preset.get_absolute_url()).status_code == status
    assert client.get(f"/presets/{preset.pk}/use").status_code == status
    assert ("secret {thing}" in client.get("/presets/").content.decode()) == (status == 200)


def test_the_list_searches_names_and_prompts(client, people, team):
    _preset(people["owner"], team, name="Kettle", prompt_template="a steel kettle")
    _preset(people["owner"], name="Mug", prompt_template="a blue mug")
    client.force_login(people["owner"])
    text = client.get("/presets/", {"q": "steel"}).content.decode()
    assert "Kettle" in text and "Mug" not in text
    assert "No preset you can see matches" in client.get("/presets/", {"q": "zebra"}).content.decode()


def test_prompt_search_finds_presets_too(client, people, team):
    _preset(people["owner"], team, name="Harbour", prompt_template="a harbour at {time}")
    make_image(people["owner"], team, prompt="a harbour at noon")
    client.force_login(people["viewer"])
    text = client.get("/search/", {"q": "harbour"}).content.decode()
    assert 'id="search-presets-h"' in text and "Harbour" in text
    client.force_login(people["outsider"])
    assert "search-presets-h" not in client.get("/search/", {"q": "harbour"}).content.decode()


def test_use_preset_asks_for_the_variables_then_fills_the_form(client, people, team):
    preset = _preset(people["owner"], team)
    client.force_login(people["teammate"])
    ask = client.get(f"/presets/{preset.pk}/use")
    assert ask.status_code == 200 and 'name="var_product"' in ask.content.decode()
    missing = client.get(f"/presets/{preset.pk}/use", {"var_product": "kettle"})
    assert missing.status_code == 422 and "This field is required" in missing.content.decode()
    filled = client.get(f"/presets/{preset.pk}/use", {"var_product": "kettle", "var_colour": "green"})
    assert filled.status_code == 302
    query = parse_qs(urlparse(filled["Location"]).query)
    assert query["prompt"] == ["a kettle on a green table"] and query["model"] == ["dall-e-2"]
    assert query["size"] == ["256x256"] and query["team"] == [str(team.pk)]
    form = client.get(filled["Location"]).content.decode()
    assert "a kettle on a green table" in form and 'name="preset_version"' in form and "version 1" in form


def test_a_job_records_the_preset_version_it_came_from(client, people, team):
    preset = _preset(people["owner"], team)
    version_1 = preset.versions.get()
    preset_services.change_preset(preset, user=people["owner"], prompt_template="a {product} on slate")
    client.force_login(people["teammate"])
    response = client.post("/", {"model": "dall-e-2", "prompt": "a kettle on a green table", "size": "256x256",
                                 "n": "1", "team": str(team.pk), "preset_version": str(version_1.pk)})
    assert response.status_code == 302
    job = Job.objects.get()
    assert PresetUse.objects.get(job=job).version == version_1  # the version used, not today's
    assert "From the preset" in client.get(job.get_absolute_url()).content.decode()


def test_a_job_form_cannot_name_a_preset_its_sender_may_not_see(client, people, team):
    private = _preset(people["owner"])
    client.force_login(people["teammate"])
    client.post("/", {"model": "dall-e-2", "prompt": "x", "size": "256x256", "n": "1",
                      "preset_version": str(private.versions.get().pk)})
    assert Job.objects.count() == 1 and not PresetUse.objects.exists()
