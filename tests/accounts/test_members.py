"""/teams/<slug>/members/: everyone in the team sees who is in it; owners change roles and remove people."""
import pytest
from django.urls import reverse

from studio.accounts.models import Membership
from studio.gallery import services as gallery_services

from tests.gallery.factories import make_image

from .conftest import team_events

pytestmark = pytest.mark.django_db


def members_url(team):
    return reverse("accounts:members", args=[team.slug])


def membership(people, who, team):
    return Membership.objects.get(user=people[who], team=team)


@pytest.mark.parametrize("who, status, owner_tools", [
    ("owner", 200, True), ("teammate", 200, False), ("viewer", 200, False), ("outsider", 404, False)])
def test_the_members_page_as_each_person(client, people, team, who, status, owner_tools):
    client.force_login(people[who])
    response = client.get(members_url(team))
    assert response.status_code == status
    if status != 200:
        assert "owner" not in response.content.decode().lower() or "Design" not in response.content.decode()
        return
    page = response.content.decode()
    for name in ("owner", "teammate", "viewer"):
        assert f"<td>{name}" in page
    assert "outsider" not in page
    assert "Operator" in page  # how they came
    assert ("Change role" in page) == owner_tools and ("Invite someone" in page) == owner_tools


def test_a_missing_team_is_404_like_a_foreign_one(client, people):
    client.force_login(people["owner"])
    assert client.get(reverse("accounts:members", args=["no-such-team"])).status_code == 404


def test_an_owner_changes_a_role_and_one_event_is_written(client, people, team):
    client.force_login(people["owner"])
    target = membership(people, "teammate", team)
    response = client.post(reverse("accounts:change_role", args=[team.slug, target.pk]), {"role": "viewer"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == "viewer"
    assert team_events("action", "actor__username") == [("member.role_changed", "owner")]


@pytest.mark.parametrize("who", ["teammate", "viewer", "outsider"])
def test_only_owners_change_roles_or_remove(client, people, team, who):
    client.force_login(people[who])
    target = membership(people, "owner", team)
    assert client.post(reverse("accounts:change_role", args=[team.slug, target.pk]), {"role": "viewer"}).status_code == 404
    assert client.post(reverse("accounts:remove_member", args=[team.slug, target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.role == "owner" and not team_events("action")


def test_the_last_owner_cannot_be_demoted_or_leave(client, people, team):
    client.force_login(people["owner"])
    mine = membership(people, "owner", team)
    response = client.post(reverse("accounts:change_role", args=[team.slug, mine.pk]), {"role": "member"}, follow=True)
    assert "the last owner of Design" in response.content.decode()
    response = client.post(reverse("accounts:remove_member", args=[team.slug, mine.pk]), follow=True)
    assert "the last owner of Design" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == "owner" and not team_events("action")
    # With a second owner, the first may step down.
    Membership.objects.filter(user=people["teammate"], team=team).update(role="owner")
    client.post(reverse("accounts:change_role", args=[team.slug, mine.pk]), {"role": "member"})
    mine.refresh_from_db()
    assert mine.role == "member"


def test_a_member_leaves_and_an_owner_removes_with_one_event_each(client, people, team):
    client.force_login(people["viewer"])
    response = client.post(reverse("accounts:remove_member", args=[team.slug, membership(people, "viewer", team).pk]))
    assert response.status_code == 302 and response["Location"] == reverse("gallery:teams")
    client.force_login(people["owner"])
    client.post(reverse("accounts:remove_member", args=[team.slug, membership(people, "teammate", team).pk]))
    assert set(Membership.objects.filter(team=team).values_list("user__username", flat=True)) == {"owner"}
    assert team_events("action", "actor__username") == [
        ("member.removed", "viewer"), ("member.removed", "owner")]


def test_an_sso_membership_keeps_the_role_its_group_gives(client, people, team):
    Membership.objects.filter(user=people["teammate"], team=team).update(source=Membership.Source.SSO)
    client.force_login(people["owner"])
    page = client.get(members_url(team)).content.decode()
    assert "SSO group" in page and "Role set by the SSO group" in page
    target = membership(people, "teammate", team)
    response = client.post(reverse("accounts:change_role", args=[team.slug, target.pk]), {"role": "owner"}, follow=True)
    assert "comes from an SSO group" in response.content.decode()
    target.refresh_from_db()
    assert target.role == "member"


def test_a_removed_persons_share_links_for_the_teams_images_die(client, people, team):
    # A second owner shares a member's team image by link, then the first owner removes them: the link
    # served only while its maker could still make it (issue 12's share-link rule).
    second = membership(people, "viewer", team)
    second.role = "owner"
    second.save(update_fields=["role"])
    image = make_image(people["teammate"], team, prompt="a team poster")
    link = gallery_services.create_share_link(image, user=people["viewer"])
    assert client.get(link.get_absolute_url()).status_code == 200
    client.force_login(people["owner"])
    client.post(reverse("accounts:remove_member", args=[team.slug, second.pk]))
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_the_teams_page_links_each_team_to_its_members(client, people, team):
    client.force_login(people["viewer"])
    page = client.get(reverse("gallery:teams")).content.decode()
    assert members_url(team) in page and "Viewer" in page


def test_an_operator_adding_or_re_roling_someone_writes_one_event_each(people, team):
    from django.core.management import call_command

    call_command("team", "add", "Design", "newcomer", "--role", "viewer", "--no-password")
    call_command("team", "add", "Design", "newcomer", "--role", "member")
    call_command("team", "add", "Design", "newcomer", "--role", "member")  # no change, no event
    assert team_events("action") == ["member.added", "member.role_changed"]
    assert Membership.objects.get(user__username="newcomer").source == Membership.Source.OPERATOR


def test_the_members_page_costs_the_same_queries_for_3_or_30_people(client, people, team, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["owner"])
    counts = []
    for extra in (0, 27):
        for i in range(extra):
            Membership.objects.create(team=team, user=django_user_model.objects.create_user(f"p{i}"), role="viewer")
        client.get(members_url(team))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(members_url(team)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[1] <= 10, counts
