"""A batch in a real browser: a CSV of 20 rows through a team preset, run by a real Celery worker, watched
to the end on the batch page, then downloaded as a ZIP with its manifest."""
import io
import json
import re
import zipfile

from playwright.sync_api import expect

from studio.generation.models import Job
from studio.workflow import preset_services
from studio.workflow.models import Batch

ROWS = [("kettle", "red"), ("teapot", "blue"), ("mug", "green"), ("vase", "yellow"), ("bowl", "white")] * 4


def test_a_csv_of_20_rows_through_a_preset_to_a_finished_batch_and_its_zip(
        page, live_server, celery_worker_thread, people, team, sign_in, settings, tmp_path, screenshot):
    settings.STUDIO_IMAGES_PER_MINUTE = 6000  # the provider's pace is not what this story is about
    preset = preset_services.create_preset(user=people["owner"], team=team, name="Table shot", model="dall-e-2",
                                           params={"size": "256x256"}, prompt_template="a {product} on a {colour} table")
    csv_file = tmp_path / "shots.csv"
    csv_file.write_text("product,colour\n" + "".join(f"{p},{c}\n" for p, c in ROWS))
    sign_in(page, people["teammate"], "pw-teammate")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Batches").click()
    page.get_by_role("link", name="New batch").click()
    page.get_by_label("Preset").select_option(label=preset.name)
    page.get_by_label("Share with").select_option(label=team.name)
    page.get_by_label("Or a CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Submit the batch").click()

    page.wait_for_url(re.compile(r"/batches/\d+/$"))
    expect(page.get_by_text("Submitted 20 jobs")).to_be_visible()
    batch = Batch.objects.get()
    assert batch.items.count() == 20 and batch.team == team
    # The page follows the jobs by itself (htmx polling) until every one is finished.
    expect(page.get_by_text("20 of 20 finished")).to_be_visible(timeout=120_000)
    expect(page.locator("#batch-progress")).to_have_attribute("data-finished", "true")
    screenshot(page, "batch-finished")
    jobs = Job.objects.filter(batch_item__batch=batch)
    assert set(jobs.values_list("status", flat=True)) == {Job.Status.DONE}
    assert "a mug on a green table" in set(jobs.values_list("prompt", flat=True))

    with page.expect_download() as caught:
        page.get_by_role("link", name="Download ZIP").click()
    archive = zipfile.ZipFile(io.BytesIO(open(caught.value.path(), "rb").read()))
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest) == 20 and {row["job"] for row in manifest} == set(jobs.values_list("pk", flat=True))
    assert all(row["file"] in archive.namelist() for row in manifest)
    assert "manifest.csv" in archive.namelist()
