"""Screenshots of the main pages at desktop and phone widths (and dark mode), for people to look at.

They land in var/screenshots/ (STUDIO_SCREENSHOTS overrides). Each page is also checked for the
basics a screenshot cannot show: no horizontal scrolling on a phone, every image has alt text.
"""
from django.utils import timezone

from studio.generation import uploads
from studio.generation.models import Job

from tests.ui.factories import picture, stored_image

PAGES = ("login", "generate", "edit-start", "edit", "prepare", "image", "variation", "job-done", "job-failed",
         "jobs", "spend", "compare", "gallery", "search")
LONG_MODEL = "gpt-image-2.5-sunburst"


def _cast(people, team):
    owner = people["owner"]
    source = stored_image(owner, team=team, size=(256, 256), prompt="a quiet harbour at dawn, fishing boats")
    child = stored_image(owner, team=team, size=(256, 256), prompt="a quiet harbour at dawn, a red sailing boat",
                         parent=source, color=(40, 90, 160),
                         revised_prompt="A calm harbour at dawn with a single red sailing boat, soft pastel light")
    Job.objects.filter(pk=child.job_id).update(kind="edit", source_image=source)
    wide = stored_image(owner, team=team, size=(480, 320), model="gpt-image-2", prompt="a long wide landscape")
    failed = Job.objects.create(owner=owner, model="gpt-image-2", prompt="a forbidden-word on a wall", status="failed",
                                failure_code="moderation_blocked", finished_at=timezone.now(),
                                failure_message="The image service's safety system refused this request. "
                                                "Rephrase the prompt or change the image.", params={"n": 1})
    upload = uploads.store(owner, picture((640, 480), "JPEG"), "jpeg")
    return {
        "generate": "/?prompt=a+lighthouse+in+a+storm&model=dall-e-3&size=1792x1024",
        "edit-start": "/edit/",
        "edit": f"/edit/?source={source.pk}",
        "prepare": f"/edit/prepare?upload={upload}&model=dall-e-2&for=edit",
        "image": child.get_absolute_url(),
        "variation": f"/images/{wide.pk}/variation?model=dall-e-2",
        "job-done": child.job.get_absolute_url(),
        "job-failed": failed.get_absolute_url(),
        "jobs": "/jobs/",
        "compare": f"/compare/{source.pk}/{child.pk}/",
        "gallery": "/gallery/",
        "spend": "/spend/",
        "search": "/search/?q=harbour",
    }


def _shoot(page, live_server, urls, screenshot, suffix):
    problems = []
    for name, url in urls.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"{name}-{suffix}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            problems.append(f"{name}: scrolls sideways by {overflow}px")
        # A table cell past the screen's edge is cut off even when the page itself does not scroll.
        cut = page.evaluate("[...document.querySelectorAll('main td')].filter(c => c.getClientRects().length"
                            " && c.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length")
        if cut:
            problems.append(f"{name}: {cut} table cell(s) cut off at the right edge")
        missing_alt = page.evaluate("[...document.images].filter(i => !i.hasAttribute('alt')).length")
        if missing_alt:
            problems.append(f"{name}: {missing_alt} image(s) without alt")
    return problems


def test_screenshots_of_the_main_pages(browser, live_server, people, team, sign_in, screenshot):
    urls = _cast(people, team)
    problems = []
    for suffix, options in (
        ("desktop", {"viewport": {"width": 1280, "height": 900}}),
        ("phone", {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                   "has_touch": True}),
        ("dark", {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"}),
    ):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        screenshot(page, f"login-{suffix}")
        sign_in(page, people["owner"], "pw-owner")
        chosen = urls if suffix != "dark" else {k: urls[k] for k in ("generate", "edit", "image", "job-failed")}
        problems += _shoot(page, live_server, chosen, screenshot, suffix)
        context.close()
    assert problems == [], "\n".join(problems)


# Whether the chosen option's text fits inside its select (less the padding and the drop-down arrow).
CLIPPED_SELECTS = """() => [...document.querySelectorAll('.job-form select')].filter(s => s.getClientRects().length).filter(s => {
  const style = getComputedStyle(s);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return ctx.measureText(s.selectedOptions[0].text).width > room;
}).map(s => `${s.name}=${s.selectedOptions[0].text} (${s.clientWidth}px)`)"""


def test_long_model_names_fit_their_selects(browser, live_server, people, team, sign_in, screenshot):
    owner = people["owner"]
    image = stored_image(owner, team=team, size=(256, 256), prompt="a quiet harbour at dawn")
    problems = []
    for suffix, width in (("desktop", 1280), ("phone", 390)):
        context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, owner, "pw-owner")
        for name, url, select in (("generate", f"/?model={LONG_MODEL}", "#id_model"),
                                  ("image", image.get_absolute_url(), "#variation-form select[name=model]")):
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            page.select_option(select, LONG_MODEL)
            page.wait_for_load_state("networkidle")
            assert page.eval_on_selector(select, "s => s.value") == LONG_MODEL
            screenshot(page, f"long-model-{name}-{suffix}")
            problems += [f"{name} at {width}px: {clipped}" for clipped in page.evaluate(CLIPPED_SELECTS)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_phone_tables_are_cards_with_every_column_in_sight(browser, live_server, people, team, sign_in):
    stored_image(people["owner"], team=team, prompt="a lighthouse")
    from studio.generation import services

    services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="a lighthouse",
                        params={"size": "256x256", "n": 1})  # a row in the spend tables
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, people["owner"], "pw-owner")
    for url, label in (("/jobs/", "When"), ("/spend/", "Spent (USD)")):
        page.goto(live_server.url + url)
        cell = page.locator(f'td[data-label="{label}"]').last
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (url, box)
        assert cell.evaluate("c => getComputedStyle(c, '::before').content") == f'"{label}"'
        assert cell.is_visible()
    context.close()
