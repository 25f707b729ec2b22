"""Issue 18, item 6: edits keep their history. An upload is the root of its family with a before/after,
each child says whether it is an edit or a variation, and "Use again" on an edit brings the mask back."""
import io

import pytest
from PIL import Image as PILImage, ImageDraw
from playwright.sync_api import expect

from studio.generation import uploads
from studio.generation.models import Job
from tests.ui.factories import picture


def _mask(size=256) -> bytes:
    im = PILImage.new("RGBA", (size, size), (0, 0, 0, 255))
    ImageDraw.Draw(im).rectangle((64, 64, 191, 191), fill=(0, 0, 0, 0))  # alpha 0: the area edited
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def upload_family(make_image, people):
    owner = people["owner"]
    upload_key = uploads.store(owner, picture((256, 256), color=(30, 140, 90)), "png")
    mask_key = uploads.store(owner, _mask(), "png")
    root = make_image(owner, prompt="add a red kite to the sky", model="gpt-image-1")
    Job.objects.filter(pk=root.job_id).update(kind=Job.Kind.EDIT, input_keys=[upload_key], mask_key=mask_key)
    edit = make_image(owner, prompt="make the kite blue", parent=root, color=(40, 60, 200))
    Job.objects.filter(pk=edit.job_id).update(kind=Job.Kind.EDIT, input_keys=[root.storage_key])
    variation = make_image(owner, prompt="", parent=root, color=(200, 160, 40))
    Job.objects.filter(pk=variation.job_id).update(kind=Job.Kind.VARIATION, input_keys=[root.storage_key])
    return {"root": root, "edit": edit, "variation": variation}


def test_an_upload_is_the_root_of_its_family_and_children_say_what_they_are(page, live_server, people,
                                                                             upload_family, sign_in, screenshot):
    root = upload_family["root"]
    sign_in(page, people["owner"], "pw-owner")
    page.goto(f"{live_server.url}{root.get_absolute_url()}")
    before = page.get_by_role("img", name="Before: your upload")
    expect(before).to_have_js_property("complete", True)
    assert before.evaluate("img => img.naturalWidth") == 256
    captions = page.locator(".lineage .made-by")
    expect(captions).to_have_text(["Edit", "Variation"])
    # Thumbnails (lazy, and these without recorded dimensions) load once scrolled to.
    thumbs = page.locator(".lineage .thumb img")
    thumbs.first.scroll_into_view_if_needed()
    for i in range(2):
        expect(thumbs.nth(i)).to_have_js_property("complete", True)
        assert thumbs.nth(i).evaluate("img => img.naturalWidth") > 0
    screenshot(page, "edit-history-image")
    page.get_by_role("link", name="Whole family tree").click()
    expect(page.locator(".tree-upload")).to_contain_text("Your upload")
    expect(page.locator(".tree .made-by")).to_have_text(["Edit", "Variation"])
    screenshot(page, "edit-history-family")


def test_use_again_on_an_edit_keeps_the_mask(page, live_server, people, upload_family, sign_in, screenshot):
    sign_in(page, people["owner"], "pw-owner")
    page.goto(f"{live_server.url}{upload_family['root'].get_absolute_url()}")
    page.get_by_role("link", name="Use again").click()
    editor = page.locator("[data-mask-editor]")
    expect(editor).to_have_attribute("data-mask-restored", "")
    painted = int(editor.get_attribute("data-painted"))
    assert painted == 128 * 128, painted  # exactly the mask's transparent square
    expect(page.get_by_label("Prompt")).to_have_value("add a red kite to the sky")
    screenshot(page, "edit-use-again-mask")


def test_someone_else_never_gets_the_upload(page, live_server, people, team, upload_family, sign_in):
    from studio.gallery.models import Image

    Image.objects.filter(pk__in=[i.pk for i in upload_family.values()]).update(team=team)
    sign_in(page, people["teammate"], "pw-teammate")
    page.goto(f"{live_server.url}{upload_family['root'].get_absolute_url()}")
    expect(page.get_by_role("img", name="Before: your upload")).to_have_count(0)
    page.goto(f"{live_server.url}/images/{upload_family['root'].pk}/family/")
    expect(page.locator(".tree-upload")).to_have_count(0)
