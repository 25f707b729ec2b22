"""A real OpenID Connect provider for the tests: django-oauth-toolkit in a small Django project of its own.

`python -m tests.oidc_provider.serve --port N --redirect-uri URL --user alice:pw:group1+group2 ...` makes a
fresh SQLite database and RSA key, one confidential client (`studio-test`), the users with their
groups (sent as the `groups` claim), and serves until stopped. tests/oidc_provider/fixture.py starts it.
"""
