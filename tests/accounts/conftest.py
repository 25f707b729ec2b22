import pytest

from .fake_idp import FakeIdP


@pytest.fixture(scope="module")
def idp():
    with FakeIdP() as server:
        yield server


@pytest.fixture
def sso(settings, idp):
    """Studio pointed at the fake provider, with the group `designers` mapped to Design as member."""
    settings.STUDIO_OIDC_ISSUER = idp.issuer
    settings.STUDIO_OIDC_CLIENT_ID = idp.client_id
    settings.STUDIO_OIDC_CLIENT_SECRET = idp.client_secret
    settings.STUDIO_OIDC_NAME = "Acme SSO"
    settings.STUDIO_OIDC_TEAMS = (("designers", "Design", "member"),)
    idp.token_requests.clear()
    return idp


def team_events(*fields):
    """Audit events other than signing in and out (force_login signs in, and that is recorded too)."""
    from studio.audit.models import AuditEvent

    rows = AuditEvent.objects.exclude(action__in=["sign_in", "sign_out"]).order_by("id")
    return list(rows.values_list(*fields)) if len(fields) > 1 else list(rows.values_list(fields[0], flat=True))
