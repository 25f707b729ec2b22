"""The prompt library in a real browser: save the Generate form as a team preset, find it, use it with its
variable filled in, and send the job, which remembers the preset's version."""
import re

from playwright.sync_api import expect

from studio.generation.models import Job
from studio.workflow.models import Preset, PresetUse


def test_save_find_and_use_a_team_preset(page, live_server, people, team, sign_in, screenshot):
    base = live_server.url
    sign_in(page, people["owner"], "pw-owner")
    page.get_by_label("Prompt").fill("a {product} on a marble table, studio light")
    page.get_by_label("Model").select_option("dall-e-2")
    page.get_by_label("Share with").select_option(label=team.name)
    page.get_by_role("button", name="Save as preset").click()

    page.wait_for_url(base + "/presets/new")
    expect(page.get_by_label("Prompt")).to_have_value("a {product} on a marble table, studio light")
    page.get_by_label("Name").fill("Marble product shot")
    page.get_by_role("button", name="Save preset").click()
    expect(page.get_by_role("heading", name=re.compile("Marble product shot"))).to_be_visible()
    preset = Preset.objects.get()
    assert preset.team == team and preset.model == "dall-e-2"

    # A teammate finds it in the library and uses it.
    page.context.clear_cookies()
    sign_in(page, people["teammate"], "pw-teammate")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Presets").click()
    page.get_by_label("Search presets").fill("marble")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Use preset").click()
    page.get_by_label("product").fill("copper kettle")
    screenshot(page, "preset-variables")
    page.get_by_role("button", name="Fill the form").click()
    expect(page.get_by_label("Prompt")).to_have_value("a copper kettle on a marble table, studio light")
    expect(page.get_by_text("From the preset")).to_be_visible()
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.get_by_text("From the preset")).to_be_visible()
    job = Job.objects.get()
    assert PresetUse.objects.get(job=job).version.number == 1
    assert job.prompt == "a copper kettle on a marble table, studio light"
