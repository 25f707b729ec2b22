"""Run the test identity provider: set up its database, client and users, then serve on loopback."""
import argparse
import os
import sys
import tempfile


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--client-id", default="studio-test")
    parser.add_argument("--client-secret", default="studio-test-secret")
    parser.add_argument("--user", action="append", default=[], help="username:password:group+group (groups may be empty)")
    options = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="studio-idp-")
    os.environ["IDP_BASE_URL"] = f"http://127.0.0.1:{options.port}"
    os.environ["IDP_DATABASE"] = os.path.join(workdir, "idp.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for spec in options.user:
        username, password, groups = (spec.split(":") + [""])[:3]
        user = User.objects.create_user(username, email=f"{username}@acme.example", password=password,
                                        first_name=username.title())
        for name in filter(None, groups.split("+")):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name="Studio", client_id=options.client_id, client_secret=options.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=options.redirect_uri, algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
    print(f"identity provider ready on {os.environ['IDP_BASE_URL']}", flush=True)
    run("127.0.0.1", options.port, get_wsgi_application(), threading=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
