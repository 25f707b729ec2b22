"""The generate form: every model shows only what it takes, "Use again" links fill it, the draft
survives leaving the page, and the server's refusal names the field and the limit."""
import re

from playwright.sync_api import expect

from studio.models_registry.providers import available_models, get_provider

OPTION_BOXES = ("quality", "style", "background", "output_format", "moderation")


def test_each_model_shows_only_its_options(page, live_server, people, sign_in):
    sign_in(page, people["owner"], "pw-owner")
    models = [spec for spec in available_models(get_provider()) if spec.supports("generate")]
    assert len(models) > 3
    model_select = page.get_by_label("Model", exact=True)
    for spec in models:
        model_select.select_option(spec.name)
        op = spec.form_schema()["operations"]["generate"]
        for name in OPTION_BOXES:
            box = page.locator(f'[data-option="{name}"]')
            if name in op["choices"]:
                expect(box, f"{spec.name} {name}").to_be_visible()
                values = box.locator("option").evaluate_all("os => os.map(o => o.value)")
                assert values == op["choices"][name]["values"], (spec.name, name)
            else:
                expect(box, f"{spec.name} {name}").to_be_hidden()
        sizes = page.locator('[data-option="size"] select option').evaluate_all("os => os.map(o => o.value)")
        assert sizes[: len(op["size"]["values"])] == op["size"]["values"]
        assert ("__other__" in sizes) == bool(op["size"]["custom"])
        assert page.get_by_label("Number of images").get_attribute("max") == str(op["ranges"]["n"]["max"])
        expect(page.locator("[data-counter]")).to_contain_text(f"{op['prompt']['max']:,} characters left for {spec.name}")


def test_use_again_link_draft_and_named_errors(page, live_server, people, sign_in):
    sign_in(page, people["owner"], "pw-owner")
    page.evaluate("localStorage.clear()")
    page.goto(live_server.url + "/?prompt=a+red+kite&model=dall-e-2&size=512x512&n=3")
    expect(page.get_by_label("Prompt")).to_have_value("a red kite")
    expect(page.get_by_label("Model", exact=True)).to_have_value("dall-e-2")
    expect(page.get_by_label("Size", exact=True)).to_have_value("512x512")
    expect(page.get_by_label("Number of images")).to_have_value("3")
    expect(page.locator("#cost-estimate")).to_contain_text("$0.054")

    # A draft is kept when the person leaves and comes back.
    page.get_by_label("Prompt").fill("an unfinished thought about owls")
    page.get_by_label("Size", exact=True).select_option("256x256")
    page.get_by_role("link", name="Jobs").click()
    page.goto(live_server.url + "/")
    expect(page.get_by_label("Prompt")).to_have_value("an unfinished thought about owls")
    expect(page.get_by_label("Size", exact=True)).to_have_value("256x256")
    expect(page.locator("[data-draft-note]")).to_be_visible()

    # Over the limit: the counter says so at once, the server names the field and the limit.
    page.get_by_label("Prompt").fill("x" * 1204)
    expect(page.locator("[data-counter]")).to_have_text("204 characters over the 1,000 that dall-e-2 accepts")
    page.get_by_label("Prompt").press("Control+Enter")
    expect(page.locator(".error-summary")).to_contain_text("Prompt: Prompt is 1,204 characters; dall-e-2 accepts at most 1,000.")
    expect(page.locator(".field-prompt .error")).to_be_visible()
    assert re.search(r"/$", page.url)


def test_other_size_opens_a_box_for_width_by_height(page, live_server, people, sign_in):
    from studio.generation.models import Job

    sign_in(page, people["owner"], "pw-owner")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.get_by_label("Prompt").fill("a harbour at dawn, panoramic")
    page.get_by_label("Model", exact=True).select_option("gpt-image-2")
    size = page.get_by_label("Size", exact=True)
    custom = page.get_by_label("Width by height in pixels")
    expect(custom).to_be_hidden()
    size.select_option("__other__")
    expect(size).to_have_value("__other__")  # it used to jump back to the default
    expect(custom).to_be_visible()
    expect(custom).to_be_focused()
    custom.fill("3072x1728")
    expect(page.locator("[data-size-note]")).to_contain_text("experimental")
    custom.fill("1536x864")
    expect(page.locator("[data-size-note]")).not_to_contain_text("experimental")
    page.get_by_label("Model", exact=True).select_option("gpt-image-2.5-sunburst")  # the box survives a model change
    expect(custom).to_have_value("1536x864")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    job = Job.objects.latest("pk")
    assert job.params["size"] == "1536x864" and job.model == "gpt-image-2.5-sunburst"


def test_a_refused_number_stays_as_typed_beside_its_error(page, live_server, people, sign_in):
    sign_in(page, people["owner"], "pw-owner")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.get_by_label("Prompt").fill("kites")
    page.get_by_label("Model", exact=True).select_option("dall-e-2")
    page.get_by_label("Number of images").evaluate("el => { el.removeAttribute('max'); el.value = '11'; }")
    page.locator("form#job-form").evaluate("f => f.setAttribute('novalidate', '')")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("Number of images is 11; dall-e-2 accepts at most 10.", exact=True)).to_be_visible()
    expect(page.get_by_label("Number of images")).to_have_value("11")
