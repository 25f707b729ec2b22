"""Gateway error bodies, raised by the real SDK against a real local server, are classified by meaning."""
import openai
import pytest

from studio.models_registry.errors import classify
from tests.registry.local_server import Reply, local_server


@pytest.fixture
def server():
    with local_server() as srv:
        yield srv


def failure_of(server, call="generate"):
    client = openai.OpenAI(api_key="k", base_url=server.url + "/v1", max_retries=0, timeout=5)
    try:
        if call == "variation":
            client.images.create_variation(image=("a.png", b"\x89PNG", "image/png"), model="dall-e-2")
        else:
            client.images.generate(model="gpt-image-2", prompt="a cat")
    except openai.APIError as exc:
        return classify(exc)
    raise AssertionError("the call should have failed")


LITELLM_SAFETY = ("litellm.BadRequestError: OpenAIException - Your request was rejected by the safety system. If "
                  "you believe this is an error, contact us at help.openai.com and include the request ID.")


@pytest.mark.parametrize("body", [
    {"message": LITELLM_SAFETY, "type": "image_generation_user_error", "param": None, "code": "400"},  # LiteLLM
    {"message": "Rejected.", "type": "image_generation_user_error", "param": None, "code": "400"},  # type alone
    {"message": "Your prompt was flagged by our content policy.", "type": "invalid_request_error", "param": None,
     "code": None},  # message alone
    {"message": "x", "type": "invalid_request_error", "param": None, "code": "moderation_blocked"},  # code
])
def test_moderation_from_code_type_or_message(server, body):
    server.reply = Reply(400, {"error": body})
    failure = failure_of(server)
    assert (failure.code, failure.retryable) == ("moderation_blocked", False)
    assert "parameter" not in failure.message


def test_a_user_error_about_a_parameter_stays_a_parameter_error(server):
    server.error(400, "Invalid size.", code="400", param="size", type_="image_generation_user_error")
    assert failure_of(server).code == "bad_parameter"


@pytest.mark.parametrize("status, body", [
    (400, {"error": {"message": "No connected db.", "type": "no_db_connection", "param": None, "code": "400"}}),
    (401, {"error": {"message": "Authentication Error, Invalid proxy server token passed.", "type": "auth_error",
                     "param": "None", "code": "401"}}),
    (403, {"error": {"message": "Your organization is not allowed here.", "type": "permission_error", "param": None,
                     "code": None}}),
    (400, {"error": {"message": "Authentication Error - Invalid API key.", "type": None, "param": None, "code": None}}),
])
def test_key_problems_whatever_the_status(server, status, body):
    server.reply = Reply(status, body)
    failure = failure_of(server)
    assert (failure.code, failure.retryable) == ("invalid_key", False)
    assert "API key" in failure.message and "parameter" not in failure.message


def test_a_missing_variations_route_is_not_a_model_access_problem(server):
    server.reply = Reply(404, {"detail": "Not Found"})
    failure = failure_of(server, "variation")
    assert failure.code == "endpoint_missing" and not failure.retryable
    assert failure.message.startswith("This provider does not offer variations (/v1/images/variations answered "
                                      "HTTP 404).")
    server.reply = Reply(405, {"detail": "Method Not Allowed"})
    assert failure_of(server, "variation").code == "endpoint_missing"


@pytest.mark.parametrize("status, body", [
    (404, {"error": {"message": "The model 'dall-e-2' does not exist", "type": "invalid_request_error",
                     "param": "model", "code": "model_not_found"}}),
    (403, {"error": {"message": "You are not allowed to sample from this model", "type": "invalid_request_error",
                     "param": None, "code": None}}),
    (404, {"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."}}),
])
def test_no_access_to_a_model_is_model_access(server, status, body):
    server.reply = Reply(status, body)
    assert failure_of(server).code == "model_access"


def test_messages_promise_nothing_and_say_the_tries_once(server):
    server.error(503, "overloaded", type_="server_error")
    failure = failure_of(server)
    assert "try again" not in failure.message
    assert failure.retrying(7.2) == f"{failure.message} Studio will try again in about 8 seconds."
    assert failure.given_up(4) == f"{failure.message} Studio gave up after 4 tries."
    assert failure.given_up(3, capped=True).endswith("Studio stopped after 3 requests, the most it sends for one job.")
    assert failure.given_up(1) == failure.message
