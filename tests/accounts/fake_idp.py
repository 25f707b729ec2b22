"""A small OpenID provider on loopback whose ID tokens the test writes (tests/accounts/test_sso_tokens.py).

It serves discovery, JWKS, a token endpoint and userinfo over real HTTP, so Studio's SSO views talk to
it exactly as to a company's provider; what the token endpoint answers is whatever the test set.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-key-1"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeIdP:
    def __init__(self):
        self.key = new_key()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.client_id, self.client_secret = "studio-test", "test-secret"
        self.id_token = ""
        self.userinfo: dict = {}
        self.token_requests: list[dict] = []
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def claims(self, *, nonce: str, sub: str = "sub-ana", **overrides) -> dict:
        now = int(time.time())
        return {"iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
                "preferred_username": "ana", "email": "ana@example.com", "email_verified": True,
                "groups": ["designers"], **overrides}

    def sign(self, claims: dict, key=None) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KID})

    def answer_with(self, claims: dict, key=None) -> None:
        self.id_token = self.sign(claims, key)
        self.userinfo = {k: v for k, v in claims.items() if k not in ("iss", "aud", "iat", "exp", "nonce")}

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json({"issuer": idp.issuer, "authorization_endpoint": idp.issuer + "/authorize",
                                "token_endpoint": idp.issuer + "/token", "userinfo_endpoint": idp.issuer + "/userinfo",
                                "jwks_uri": idp.issuer + "/jwks",
                                "token_endpoint_auth_methods_supported": ["client_secret_post"]})
                elif self.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(idp.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})
                elif self.path == "/userinfo":
                    self._json(idp.userinfo)
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                idp.token_requests.append(form)
                self._json({"access_token": "access-" + form.get("code", ""), "token_type": "Bearer",
                            "expires_in": 300, "id_token": idp.id_token})

        return Handler
