"""`Authorization: Bearer <personal token>`: who a /v1 request speaks for, or a 401 saying why not."""
from __future__ import annotations

from studio.accounts.token_services import authenticate_token
from studio.accounts.tokens import ApiToken
from studio.generation.live import db

from .errors import unauthorized


async def token_for(request) -> ApiToken:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if not header or scheme.lower() != "bearer" or not raw.strip():
        raise unauthorized("You didn't provide an API key. Send a personal Studio token as "
                           "'Authorization: Bearer stu_…' (make one on your account page).")
    token = await db(authenticate_token, raw.strip())
    if token is None:
        raise unauthorized("The token is wrong, revoked or expired. Make a new one on your account page.")
    return token
