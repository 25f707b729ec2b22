"""Review (none → in review → approved / changes requested), comments with @mentions, notifications and
their email, the gallery's review filter, and the rule that an approved image stays out of others' trash."""
import pytest
from django.core import mail

from studio.audit.models import AuditEvent
from studio.gallery import hooks
from studio.workflow import review_services
from studio.workflow.models import Comment, ImageReview, Notification, NotificationSettings, mentioned_names
from studio.workflow.wiring import approved_stays
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(people, team):
    return make_image(people["owner"], team, prompt="a poster of a red kite")


def _post_review(client, image, to):
    return client.post(f"/images/{image.pk}/review", {"to": to})


def test_mention_names_are_picked_from_the_text():
    assert mentioned_names("@ann and @ben.smith, thanks @ann. mail x@y.com") == ["ann", "ben.smith"]


def test_request_then_approve_records_who_and_when_and_tells_the_maker(client, people, image):
    client.force_login(people["owner"])
    assert _post_review(client, image, "in_review").status_code == 302
    review = ImageReview.objects.get(image=image)
    assert (review.state, review.requested_by) == ("in_review", people["owner"])
    client.force_login(people["teammate"])
    _post_review(client, image, "approved")
    review.refresh_from_db()
    assert (review.state, review.decided_by) == ("approved", people["teammate"]) and review.decided_at
    assert list(AuditEvent.objects.filter(action__startswith="review").order_by("id").values_list("action", flat=True)) == [
        "review.requested", "review.approved"]
    told = Notification.objects.get()
    assert (told.recipient, told.kind) == (people["owner"], "review_decision")
    assert "approved" in told.text
    page = client.get(image.get_absolute_url()).content.decode()
    assert 'data-review-state="approved"' in page and "by teammate" in page


def test_changes_requested_then_asked_again(client, people, image):
    client.force_login(people["teammate"])
    _post_review(client, image, "in_review")
    client.force_login(people["owner"])
    # The maker does not decide a review of their own image.
    _post_review(client, image, "approved")
    assert ImageReview.objects.get(image=image).state == "in_review"
    client.force_login(people["teammate"])
    _post_review(client, image, "changes_requested")
    assert ImageReview.objects.get(image=image).state == "changes_requested"
    # The maker and the teammate who asked are both told (the teammate decided it: not told of their own act).
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["owner"]
    client.force_login(people["owner"])
    _post_review(client, image, "in_review")
    assert ImageReview.objects.get(image=image).state == "in_review"


@pytest.mark.parametrize("who, to", [("viewer", "in_review"), ("viewer", "approved"), ("outsider", "in_review")])
def test_viewers_and_outsiders_do_not_move_reviews(client, people, image, who, to):
    ImageReview.objects.create(image=image, state="in_review")
    client.force_login(people[who])
    response = _post_review(client, image, to)
    assert response.status_code == (404 if who == "outsider" else 302)
    assert ImageReview.objects.get(image=image).state == "in_review"


def test_a_decision_needs_a_request_first_and_says_so(client, people, image):
    client.force_login(people["teammate"])
    response = _post_review(client, image, "approved")
    assert not ImageReview.objects.filter(image=image, state="approved").exists()
    assert "cannot go to" in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="review.approved").exists()


def test_private_images_have_no_review(client, people):
    private = make_image(people["owner"], None)
    client.force_login(people["owner"])
    _post_review(client, private, "in_review")
    assert not ImageReview.objects.filter(image=private, state="in_review").exists()


def test_a_comment_mentions_teammates_who_are_told_and_mailed(client, people, image,
                                                              django_capture_on_commit_callbacks):
    people["teammate"].email = "ben@example.invalid"
    people["teammate"].save()
    people["viewer"].email = "cat@example.invalid"
    people["viewer"].save()
    NotificationSettings.objects.create(user=people["viewer"], email_mentions=False)
    client.force_login(people["owner"])
    body = "What do you think, @teammate and @viewer? (@outsider cannot see this)"
    with django_capture_on_commit_callbacks(execute=True):  # mail goes after commit
        response = client.post(f"/images/{image.pk}/comments", {"body": body})
    comment = Comment.objects.get()
    assert response["Location"] == comment.get_absolute_url()
    assert set(comment.mentions.values_list("username", flat=True)) == {"teammate", "viewer"}
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"teammate", "viewer"}
    assert [m.to for m in mail.outbox] == [["ben@example.invalid"]]  # the viewer turned mentions by email off
    assert f"http://testserver/images/{image.pk}/#comment-{comment.pk}" in mail.outbox[0].body
    assert AuditEvent.objects.get(action="comment.added").summary == f"on image {image.pk}, mentioning teammate, viewer"
    client.force_login(people["teammate"])
    page = client.get(image.get_absolute_url()).content.decode()
    assert "What do you think" in page


def test_viewers_read_comments_but_do_not_add_them(client, people, image):
    client.force_login(people["viewer"])
    client.post(f"/images/{image.pk}/comments", {"body": "me too"})
    client.force_login(people["outsider"])
    assert client.post(f"/images/{image.pk}/comments", {"body": "hello"}).status_code == 404
    assert not Comment.objects.exists()


def test_an_empty_or_huge_comment_is_refused_with_a_sentence(client, people, image):
    client.force_login(people["owner"])
    response = client.post(f"/images/{image.pk}/comments", {"body": "   "}, follow=True)
    assert "Write a comment of 1 to 5000 characters." in response.content.decode()
    client.post(f"/images/{image.pk}/comments", {"body": "x" * 5001})
    assert not Comment.objects.exists()


def test_unread_count_in_the_navigation_and_the_notifications_page(client, people, image):
    review_services.add_comment(image, user=people["owner"], body="@teammate look", link_base="http://x")
    review_services.add_comment(image, user=people["owner"], body="@teammate and again", link_base="http://x")
    client.force_login(people["teammate"])
    page = client.get("/notifications/").content.decode()
    assert "data-fragment-url=\"/notifications/unread\"" in page and page.count("owner mentioned you on image") == 2
    assert 'data-unread>2<' in client.get("/notifications/unread").content.decode()
    first = Notification.objects.filter(recipient=people["teammate"]).first()
    opened = client.get(first.get_absolute_url())
    assert opened.status_code == 302 and opened["Location"].startswith(f"/images/{image.pk}/#comment-")
    assert 'data-unread>1<' in client.get("/notifications/unread").content.decode()
    client.post("/notifications/read")
    assert "data-unread" not in client.get("/notifications/unread").content.decode()
    client.force_login(people["outsider"])
    assert client.get(first.get_absolute_url()).status_code == 404


def test_email_for_mentions_is_switched_on_the_account_page(client, people, image):
    client.force_login(people["teammate"])
    assert "Email me when someone mentions me" in client.get("/account/").content.decode()
    client.post("/notifications/settings", {})
    assert NotificationSettings.objects.get(user=people["teammate"]).email_mentions is False
    assert AuditEvent.objects.filter(action="notifications.changed").count() == 1
    client.post("/notifications/settings", {"email_mentions": "1"})
    assert NotificationSettings.objects.get(user=people["teammate"]).email_mentions is True


def test_the_gallery_filters_by_review_state(client, people, team, image):
    other = make_image(people["owner"], team, prompt="a poster of a blue whale")
    ImageReview.objects.create(image=image, state="approved")
    client.force_login(people["teammate"])
    approved = client.get(f"/teams/{team.slug}/", {"review": "approved"}).content.decode()
    assert f"/images/{image.pk}/" in approved and f"/images/{other.pk}/" not in approved
    unreviewed = client.get(f"/teams/{team.slug}/", {"review": "none"}).content.decode()
    assert f"/images/{other.pk}/" in unreviewed and f"/images/{image.pk}/" not in unreviewed
    assert 'name="review"' in approved  # the filter bar offers it


def test_an_approved_image_stays_out_of_anyone_elses_trash(people, team, image):
    ImageReview.objects.create(image=image, state="approved")
    assert hooks.trash_refusal(image, people["teammate"], "member") and approved_stays(image, people["teammate"], "member")
    assert hooks.trash_refusal(image, people["owner"], "owner") is None  # its maker
    teammates = make_image(people["teammate"], team)
    ImageReview.objects.create(image=teammates, state="approved")
    assert hooks.trash_refusal(teammates, people["owner"], "owner") is None  # a team owner
    assert hooks.trash_refusal(teammates, people["teammate"], "member") is None  # its maker


def test_the_maker_still_trashes_an_approved_image_through_the_page(client, people, image):
    ImageReview.objects.create(image=image, state="approved")
    client.force_login(people["owner"])
    client.post(f"/images/{image.pk}/delete")
    image.refresh_from_db()
    assert image.deleted_at is not None
