"""Batches: pasted lines and CSV rows (every rule, nothing made when a row is bad), the limit, the budget
checked whole up front, cancel, retry, the page and its ZIP, who sees and steers what, and fair queueing."""
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studio.audit.models import AuditEvent
from studio.generation import services as generation
from studio.generation.models import Job
from studio.spending import budgets
from studio.spending.errors import OverBudget
from studio.spending.models import Charge
from studio.workflow import batch_services, preset_services
from studio.workflow.batch_rows import BatchRowsInvalid, rows_from_csv, rows_from_lines
from studio.workflow.models import Batch, BatchItem, PresetUse

pytestmark = pytest.mark.django_db

TEMPLATE = "a {product} on a {colour} table"


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")


def _preset(user, team=None, template=TEMPLATE):
    return preset_services.create_preset(user=user, team=team, name="Product shot", model="dall-e-2",
                                         params={"size": "256x256"}, prompt_template=template)


def _batch(user, prompts, team=None):
    return batch_services.submit_batch(user=user, team=team, name="b", source=Batch.Source.LINES, model="dall-e-2",
                                       params={"size": "256x256"}, rows=rows_from_lines("\n".join(prompts)))


def test_csv_rows_fill_the_template_by_column_with_quotes_and_commas():
    rows = rows_from_csv(_csv('colour,product,note\nred,kettle,x\n"deep, dark blue","teapot ""Ada""",\n'), TEMPLATE)
    assert [r.prompt for r in rows] == ["a kettle on a red table", 'a teapot "Ada" on a deep, dark blue table']
    assert rows[1].values == {"product": 'teapot "Ada"', "colour": "deep, dark blue"} and rows[1].number == 2


def test_every_bad_row_is_named_at_once():
    with pytest.raises(BatchRowsInvalid) as caught:
        rows_from_csv(_csv("product,colour\nkettle,red\nteapot,\n,\nmug,blue\n"), TEMPLATE)
    assert caught.value.errors == ["Row 2: no value for {colour}.", "Row 3: no value for {product}, {colour}."]


def test_a_missing_column_an_empty_prompt_and_bad_bytes_are_refused_in_words():
    with pytest.raises(BatchRowsInvalid, match=r"no column for \{colour\}"):
        rows_from_csv(_csv("product\nkettle\n"), TEMPLATE)
    with pytest.raises(BatchRowsInvalid, match=r"Row 1: no value for \{product\}"):  # a blank cell is an empty prompt
        rows_from_csv(_csv("product\n   \n"), "{product}")
    with pytest.raises(BatchRowsInvalid, match="not UTF-8"):
        rows_from_csv(SimpleUploadedFile("rows.csv", b"product,colour\n\xff\xfe,red\n"), TEMPLATE)
    with pytest.raises(BatchRowsInvalid, match="no rows"):
        rows_from_csv(_csv("product,colour\n"), TEMPLATE)


def test_pasted_lines_skip_blanks_and_fill_a_one_variable_preset():
    assert [r.prompt for r in rows_from_lines("a kite\n\n  a boat  \n")] == ["a kite", "a boat"]
    assert [r.prompt for r in rows_from_lines("kettle\nmug", "a {product}, studio light")] == [
        "a kettle, studio light", "a mug, studio light"]
    with pytest.raises(BatchRowsInvalid, match="asks for 2 variables"):
        rows_from_lines("kettle", TEMPLATE)


def test_too_many_rows_are_refused_before_anything(settings):
    settings.STUDIO_BATCH_MAX_JOBS = 3
    with pytest.raises(BatchRowsInvalid, match="There are 4 rows; a batch makes at most 3 jobs"):
        rows_from_csv(_csv("product,colour\n" + "kettle,red\n" * 4), TEMPLATE)
    with pytest.raises(BatchRowsInvalid, match="There are 4 prompts"):
        rows_from_lines("a\nb\nc\nd")


def test_new_batch_from_a_csv_and_a_preset_makes_one_batch_one_event_and_waiting_jobs(client, people, team, sent,
                                                                                  django_capture_on_commit_callbacks,
                                                                                  settings):
    settings.STUDIO_FAIR_SHARE_IN_FLIGHT = 2
    preset = _preset(people["teammate"], team)
    client.force_login(people["teammate"])
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/batches/new", {"preset": preset.pk, "team": team.pk, "csv_file": _csv(
            "product,colour\nkettle,red\nmug,blue\nvase,green\n")})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    jobs = [item.job for item in batch.items.select_related("job")]
    assert [j.prompt for j in jobs] == ["a kettle on a red table", "a mug on a blue table", "a vase on a green table"]
    assert all(j.fair_share and j.team == team and j.params == {"size": "256x256"} for j in jobs)
    assert PresetUse.objects.filter(job__in=jobs, version__preset=preset).count() == 3
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))[before:] == ["batch.submitted"]
    assert Charge.objects.filter(job_id__in=[j.pk for j in jobs]).count() == 3  # each reserved by submit_job
    # Only two went to the queue: the third waits for its owner's turn.
    assert sorted(pk for pk, _, _ in sent["run"]) == sorted(j.pk for j in jobs[:2])


def test_a_bad_row_makes_nothing_and_the_form_says_which(client, people, team):
    preset = _preset(people["owner"])
    client.force_login(people["owner"])
    response = client.post("/batches/new", {"preset": preset.pk, "csv_file": _csv("product,colour\nkettle,\n")})
    assert response.status_code == 422
    assert "Row 1: no value for {colour}." in response.content.decode()
    assert not Batch.objects.exists() and not Job.objects.exists()


def test_the_whole_batch_is_priced_against_the_budget_before_any_job(client, people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.05"))  # three at $0.016 fit, four do not
    client.force_login(people["teammate"])
    form = {"model": "dall-e-2", "options": "size=256x256", "team": team.pk}
    response = client.post("/batches/new", {**form, "prompts": "a\nb\nc\nd"})
    assert response.status_code == 422
    assert "This batch of 4 jobs may cost up to $0.064, and only $0.050 is left" in response.content.decode()
    assert not Job.objects.exists() and not Batch.objects.exists()
    assert client.post("/batches/new", {**form, "prompts": "a\nb\nc"}).status_code == 302
    with pytest.raises(OverBudget):
        _batch(people["teammate"], ["d"], team=team)


def test_batch_jobs_do_not_count_against_the_one_by_one_rate_limits(people, settings):
    settings.STUDIO_PERSON_CONCURRENT_JOBS = 2
    batch = _batch(people["owner"], [f"kite {i}" for i in range(5)])
    assert batch.items.count() == 5
    # A single job still goes through: waiting batch jobs are not "running".
    generation.submit_job(user=people["owner"], model="dall-e-2", prompt="one", params={"size": "256x256"})


def test_cancel_fails_what_has_not_started_and_releases_its_reservation(people):
    batch = _batch(people["owner"], ["a", "b", "c"])
    first = batch.items.first().job
    Job.objects.filter(pk=first.pk).update(status=Job.Status.CALLING)
    assert batch_services.cancel_batch(batch, user=people["owner"]) == 2
    statuses = dict(batch.items.values_list("job__prompt", "job__status"))
    assert statuses == {"a": "calling", "b": "failed", "c": "failed"}
    assert set(Charge.objects.filter(job_id__in=batch.items.values("job_id")).exclude(job_id=first.pk)
               .values_list("state", flat=True)) == {Charge.State.RELEASED}
    assert AuditEvent.objects.filter(action="batch.cancelled").count() == 1
    assert batch_services.cancel_batch(batch, user=people["owner"]) == 0  # nothing left: no second event
    assert AuditEvent.objects.filter(action="batch.cancelled").count() == 1


def test_retry_sends_each_failed_row_again_as_a_new_job(people):
    batch = _batch(people["owner"], ["a", "b"])
    failed = batch.items.get(row=2).job
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED, failure_code="server_error")
    assert batch_services.retry_batch(batch, user=people["owner"]) == 1
    item = batch.items.get(row=2)
    assert item.job_id != failed.pk and item.job.prompt == "b" and item.job.status == Job.Status.QUEUED
    assert Job.objects.filter(pk=failed.pk).exists()  # the failed one stays in the jobs list
    assert AuditEvent.objects.filter(action="batch.retried").count() == 1
    assert batch_services.retry_batch(batch, user=people["owner"]) == 0


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 200), ("viewer", 200), ("outsider", 404)])
def test_a_team_batch_page_is_seen_by_its_team(client, people, team, who, status):
    batch = _batch(people["owner"], ["a kite"], team=team)
    client.force_login(people[who])
    assert client.get(batch.get_absolute_url()).status_code == status
    assert client.get(f"/batches/{batch.pk}/progress").status_code == status
    assert client.get(f"/batches/{batch.pk}/download").status_code == status


@pytest.mark.parametrize("who, status", [("teammate", 403), ("outsider", 404)])
def test_only_its_maker_cancels_or_retries(client, people, team, who, status):
    batch = _batch(people["owner"], ["a kite"], team=team)
    client.force_login(people[who])
    assert client.post(f"/batches/{batch.pk}/cancel").status_code == status
    assert client.post(f"/batches/{batch.pk}/retry").status_code == status
    assert batch.items.get().job.status == Job.Status.QUEUED


def test_the_zip_holds_the_batch_images_and_its_manifest(client, people, run_inline, sent):
    batch = _batch(people["owner"], ["a red kite", "a blue boat"])
    for item in batch.items.select_related("job"):
        Job.objects.filter(pk=item.job_id).update(released_at=item.job.created_at)
        run_inline(item.job)
    client.force_login(people["owner"])
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "2 of 2 finished" in page and "hx-trigger" not in page  # finished: the page stops polling
    response = client.get(f"/batches/{batch.pk}/download")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "manifest.json" in names and "manifest.csv" in names
    assert len([n for n in names if n.startswith("images/") and not n.endswith(".json")]) == 2
    assert AuditEvent.objects.filter(action="export.downloaded").count() == 1


def test_an_unfinished_batch_page_follows_its_unfinished_jobs_by_events(client, people, run_inline, sent):
    batch = _batch(people["owner"], ["a red kite", "a blue boat"])
    first, second = [item.job for item in batch.items.select_related("job").order_by("row")]
    Job.objects.filter(pk=first.pk).update(released_at=first.created_at)
    run_inline(first)
    client.force_login(people["owner"])
    page = client.get(batch.get_absolute_url()).content.decode()
    # live.js reloads the progress when the stream names a job listed here; the slow poll keeps "watching" alive.
    assert 'hx-trigger="live-refresh, every 10s"' in page and f'data-live-jobs="{second.pk} "' in page


def test_a_batchs_pictures_go_into_a_collection_in_row_order(client, people, team, run_inline, sent):
    from studio.workflow import collection_services
    from studio.workflow.models import Collection

    batch = _batch(people["owner"], ["a red kite", "a blue boat"], team=team)
    for item in batch.items.select_related("job").order_by("row"):
        Job.objects.filter(pk=item.job_id).update(released_at=item.job.created_at)
        run_inline(item.job)
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Campaign")
    url = f"/batches/{batch.pk}/to-collection"
    client.force_login(people["outsider"])
    assert client.post(url, {"collection": collection.pk}).status_code == 404
    client.force_login(people["viewer"])
    client.post(url, {"collection": collection.pk})
    assert not collection.items.exists()  # viewers look at a team's collections, they do not change them
    client.force_login(people["owner"])
    assert "Add its pictures to" in client.get(batch.get_absolute_url()).content.decode()
    assert client.post(url, {"collection": collection.pk}).status_code == 302
    rows = [item.image.job.prompt for item in Collection.objects.get(pk=collection.pk).items.order_by("position")]
    assert rows == ["a red kite", "a blue boat"]


# --- fair queueing ------------------------------------------------------------------------------------


def test_batch_jobs_are_released_a_few_at_a_time_and_refilled_after_each_call(people, sent, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.STUDIO_FAIR_SHARE_IN_FLIGHT = 2
    with django_capture_on_commit_callbacks(execute=True):
        batch = _batch(people["owner"], [f"kite {i}" for i in range(5)])
    order = [item.job_id for item in batch.items.order_by("row")]
    assert [pk for pk, _, _ in sent["run"]] == order[:2]
    # A teammate's single job is sent at once, ahead of the batch's three waiting ones.
    with django_capture_on_commit_callbacks(execute=True):
        single = generation.submit_job(user=people["teammate"], model="dall-e-2", prompt="mine",
                                       params={"size": "256x256"})
    assert sent["run"][2][0] == single.pk
    with django_capture_on_commit_callbacks(execute=True):
        generation.run_job(order[0])  # its call is over: the next of the batch goes
    assert [pk for pk, _, _ in sent["run"]][3:] == [order[2]]
    assert Job.objects.get(pk=order[3]).released_at is None


def test_the_sweeper_releases_what_a_lost_refill_left_waiting_and_never_resends_waiting_jobs(
        people, sent, settings, django_capture_on_commit_callbacks):
    settings.STUDIO_FAIR_SHARE_IN_FLIGHT = 1
    batch = _batch(people["owner"], ["a", "b"])  # its on_commit never runs here: nothing released, as after a crash
    with django_capture_on_commit_callbacks(execute=True):
        report = generation.sweep(force=True)
    first, second = [item.job_id for item in batch.items.order_by("row")]
    assert report.released == [first] and [pk for pk, _, _ in sent["run"]] == [first]
    assert generation.sweep(force=True).released == []  # one in flight: the second keeps waiting
    assert Job.objects.get(pk=second).released_at is None


def test_a_preset_page_offers_a_batch_from_it_and_the_form_starts_there(client, people):
    preset = _preset(people["owner"])
    client.force_login(people["owner"])
    assert f"/batches/new?preset={preset.pk}" in client.get(preset.get_absolute_url()).content.decode()
    form = client.get(f"/batches/new?preset={preset.pk}").content.decode()
    assert f'<option value="{preset.pk}" selected>' in form


def test_an_outsiders_preset_cannot_be_used_for_a_batch(client, people):
    preset = _preset(people["owner"], template="a {product}, private-marker")
    client.force_login(people["outsider"])
    response = client.post("/batches/new", {"preset": preset.pk, "prompts": "kettle"})
    assert response.status_code == 422 and not Batch.objects.exists()
    assert "Select a valid choice" in response.content.decode() and "private-marker" not in response.content.decode()
