import pytest
from django.contrib.auth import get_user_model

from studio.accounts.models import Membership, Team


@pytest.fixture
def team(db):
    return Team.objects.create(name="Design")


@pytest.fixture
def people(db, team):
    """Owner, teammate, viewer-role teammate and outsider: the cast of every permission test."""
    User = get_user_model()
    cast = {name: User.objects.create_user(username=name, password="pw-" + name) for name in
            ("owner", "teammate", "viewer", "outsider")}
    Membership.objects.create(team=team, user=cast["owner"], role=Membership.Role.OWNER)
    Membership.objects.create(team=team, user=cast["teammate"], role=Membership.Role.MEMBER)
    Membership.objects.create(team=team, user=cast["viewer"], role=Membership.Role.VIEWER)
    return cast


@pytest.fixture
def owner(people):
    return people["owner"]


# The stand-in Images API, in a thread, for the whole session (studio.standin.testing).
from studio.standin.testing import standin  # noqa: E402,F401


# Every setting that describes the environment's provider (studio/settings.py, "Images API").
PROVIDER_SETTINGS = {
    "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "OPENAI_ORG_ID": "", "OPENAI_PROJECT_ID": "",
    "AZURE_OPENAI_ENDPOINT": "", "AZURE_OPENAI_API_KEY": "", "OPENAI_API_VERSION": "",
    "AZURE_OPENAI_DEPLOYMENTS": (),
}


@pytest.fixture(autouse=True)
def _provider_is_the_standin(request, settings):
    """Every test that touches Django talks to the session stand-in, never to a real provider.

    Providers read these settings only (never os.environ), so blanking them here wins over whatever the
    developer's shell exports; a test that wants a provider sets the settings it needs.
    """
    for name, blank in PROVIDER_SETTINGS.items():
        setattr(settings, name, blank)
    if "standin" in request.fixturenames or request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        server = request.getfixturevalue("standin")
        settings.STANDIN_URL = server.base_url
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def run_inline():
    """Run a job's whole pipeline in this process: the call, then every download, as workers would."""
    from studio.gallery.models import Image
    from studio.generation import services

    def drive(job):
        services.run_job(job.pk)
        for pk in Image.objects.filter(job=job, status=Image.Status.PENDING).values_list("pk", flat=True):
            services.fetch_image(pk)
        job.refresh_from_db()
        return job

    return drive


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on loopback, one for the session (buckets are cheap; tests use their own keys)."""
    from studio.devtools.s3server import MotoS3Server

    with MotoS3Server() as server:
        yield server


@pytest.fixture
def s3_storage(s3_server, settings):
    """Point Django's default storage at the loopback S3 server for one test."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_settings()}
    yield s3_server


@pytest.fixture
def sent(monkeypatch):
    """Messages the pipeline sends, by task: {"run": [(job_id, countdown, kwargs)], "fetch": [...]}."""
    box = {"run": [], "fetch": []}

    def recorder(kind):
        def apply_async(args=(), kwargs=None, countdown=None, **options):
            box[kind].append((args[0], countdown, kwargs or {}))
        return apply_async

    from studio.generation import tasks

    monkeypatch.setattr(tasks.run_job, "apply_async", recorder("run"))
    monkeypatch.setattr(tasks.fetch_image, "apply_async", recorder("fetch"))
    return box


def pytest_collection_modifyitems(config, items):
    """Browser tests run last. Playwright's sync API keeps an event loop running in the main thread while
    the session's browser lives, and async code in any later test (asyncio.run, async_to_sync) refuses to
    run beside it; the browser fixture also sets DJANGO_ALLOW_ASYNC_UNSAFE for the rest of the session."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))  # stable: the order within each stays
