"""Screenshots of the main pages at desktop and phone widths (and dark mode), for people to look at.

They land in var/screenshots/ (STUDIO_SCREENSHOTS overrides). Each page is also checked for the
basics a screenshot cannot show: no horizontal scrolling on a phone, every image has alt text.
"""
from django.utils import timezone

from studio.generation import uploads
from studio.generation.models import Job

from tests.ui.factories import picture, stored_image

PAGES = ("login", "generate", "edit-start", "edit", "prepare", "image", "variation", "job-done", "job-failed",
         "jobs", "compare", "gallery")


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
