"""What a person sees when the provider cannot do something, and the staff page that tests a provider."""
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from studio.models_registry import learning
from studio.models_registry.providers import get_provider

from tests.ui.factories import stored_image


def test_variation_page_says_what_the_provider_does_not_offer(page, live_server, transactional_db, people, sign_in,
                                                              screenshot):
    owner = people["owner"]
    source = stored_image(owner, size=(256, 256), prompt="a quiet harbour at dawn")
    learning.learn_missing_endpoint(get_provider(), "variations", "it answered HTTP 404 on 1 Dec 2026.")
    sign_in(page, owner, "pw-owner")
    page.goto(live_server.url + f"/images/{source.pk}/variation")
    note = page.locator(".provider-notes")
    expect(note).to_contain_text("Not offered here: dall-e-2.")
    expect(note).to_contain_text("does not offer /v1/images/variations")
    expect(page.get_by_label("Model")).not_to_contain_text("dall-e-2")
    screenshot(page, "variation-not-offered")


def test_staff_test_a_provider_with_one_confirmed_call(page, live_server, standin, screenshot, transactional_db,
                                                       sign_in):
    staff = get_user_model().objects.create_superuser("staff", "staff@example.invalid", "pw-staff")
    sign_in(page, staff, "pw-staff")  # the admin's own login sends people to Studio's sign-in (allauth)
    page.goto(live_server.url + "/admin/models_registry/provider/")
    page.get_by_role("link", name="The environment’s provider (standin): test it").click()
    expect(page.get_by_text("one paid call", exact=True)).to_be_visible()
    screenshot(page, "provider-test-before")
    generations = standin.stats()["requests"]["generations"]
    page.get_by_label("I confirm one paid call to standin.").check()
    page.get_by_role("button", name="Test this provider").click()
    expect(page.locator(".report")).to_contain_text("Streaming works")
    assert standin.stats()["requests"]["generations"] == generations + 1
    screenshot(page, "provider-test-report")
