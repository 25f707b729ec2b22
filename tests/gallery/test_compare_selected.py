"""The galleries' "Compare the two selected": two ticked ids to the compare page, through visible_to."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "gallery:compare_selected"


def test_two_visible_images_open_the_compare_page_older_first(client, people, team, make_image):
    older = make_image(people["teammate"], team, prompt="older")
    newer = make_image(people["owner"], team, prompt="newer")
    client.force_login(people["owner"])
    response = client.get(reverse(URL), {"ids": [newer.pk, older.pk], "team": team.slug})
    assert response.status_code == 302
    assert response["Location"] == reverse("generation:compare", args=[older.pk, newer.pk])


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_an_image_the_person_may_not_see_is_a_404(client, people, team, make_image, who):
    shared = make_image(people["owner"], team)
    private = make_image(people["owner"], None)
    client.force_login(people[who])
    assert client.get(reverse(URL), {"ids": [shared.pk, private.pk]}).status_code == 404
    assert client.get(reverse(URL), {"ids": [shared.pk, 999_999]}).status_code == 404


def test_trashed_images_are_a_404(client, people, team, make_image):
    from studio.gallery import services

    a, b = make_image(people["owner"], team), make_image(people["owner"], team)
    services.trash_image(b)
    client.force_login(people["owner"])
    assert client.get(reverse(URL), {"ids": [a.pk, b.pk]}).status_code == 404


def test_not_two_ids_goes_back_to_the_gallery_with_a_word(client, people, team, make_image):
    a = make_image(people["owner"], team)
    client.force_login(people["owner"])
    response = client.get(reverse(URL), {"ids": [a.pk], "team": team.slug}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("gallery:team", args=[team.slug])
    assert "Tick exactly two images" in response.content.decode()
    response = client.get(reverse(URL), {"ids": [a.pk, a.pk, "x"], "team": "not-my-team"})
    assert response["Location"] == reverse("gallery:mine")


def test_signed_out_people_are_sent_to_sign_in(client, people, team, make_image):
    a, b = make_image(people["owner"], team), make_image(people["owner"], team)
    response = client.get(reverse(URL), {"ids": [a.pk, b.pk]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_galleries_offer_it(client, people, team, make_image):
    make_image(people["owner"], team)
    client.force_login(people["owner"])
    for url in (reverse("gallery:mine"), reverse("gallery:team", args=[team.slug])):
        page = client.get(url).content.decode()
        assert f'formaction="{reverse(URL)}"' in page and "Compare the two selected" in page
        assert 'aria-describedby="compare-hint"' in page and "gallery-select.js" in page
