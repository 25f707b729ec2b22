"""GPT image models are priced from `usage`, with text-input, image-input and image-output tokens each at
their own price from models.toml; the ledger settles to that figure."""
from decimal import Decimal

import pytest

from studio.generation import services, uploads
from studio.models_registry.registry import get_model
from studio.spending.models import Charge
from tests.ui.factories import picture

pytestmark = pytest.mark.django_db


def test_the_registry_keeps_the_three_token_prices_apart():
    price = get_model("gpt-image-1.5").price
    assert (price.text_input, price.image_input, price.output) == (Decimal("5.00"), Decimal("8.00"),
                                                                  Decimal("32.00"))


def test_an_edit_costs_what_its_usage_says_at_each_token_price(people, run_inline):
    key = uploads.store(people["owner"], picture((1024, 1024)), "png")
    job = run_inline(services.submit_job(user=people["owner"], model="gpt-image-1.5", kind="edit",
                                         prompt="paint a red boat on the water", input_keys=[key],
                                         params={"size": "1024x1024", "quality": "low", "n": 1}))
    assert job.status == "done", job.failure_message
    text_in = job.usage["input_tokens_details"]["text_tokens"]
    image_in = job.usage["input_tokens_details"]["image_tokens"]
    image_out = job.usage["output_tokens"]
    assert text_in and image_in and image_out  # the stand-in reports all three
    by_hand = (Decimal(text_in) * 5 + Decimal(image_in) * 8 + Decimal(image_out) * 32) / 1_000_000
    assert job.cost_actual == by_hand.quantize(Decimal("0.0001"))  # Job keeps four places
    charge = Charge.objects.get(job_id=job.pk)
    assert (charge.state, charge.amount) == ("settled", job.cost_actual)
    assert charge.reserved.quantize(Decimal("0.0001")) == job.cost_estimate
    assert charge.reserved >= charge.amount  # the reservation was the ceiling
