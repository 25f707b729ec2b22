"""Reads of images. Every one starts from `Image.objects.visible_to(user)` (or, for the trash,
`in_trash_of(user)`); share links have their own door in `sharing.py`.

Pages are cut with a keyset cursor on (created_at, id), never OFFSET: page 10,000 costs what page 1
costs, and a new image arriving while someone scrolls does not shift what they see.
"""
import base64
from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from studio.accounts.models import Membership, Team

from . import hooks, search
from .models import Favourite, Image, Tag

PAGE_SIZE = 60
# A family tree is drawn whole, but a runaway family (an image varied ten thousand times) must not
# take a page down: past this many members the tree says it is cut.
FAMILY_LIMIT = 500
ANCESTOR_LIMIT = 50

# Only what a grid needs: the wide text columns (source URLs, failure reasons) stay in the table.
GRID_FIELDS = ("id", "owner_id", "team_id", "status", "prompt", "model", "created_at", "thumb_width", "thumb_height",
               "parent_id", "deleted_at")


# --- cursors --------------------------------------------------------------------------------------


def encode_cursor(created_at: datetime, pk: int) -> str:
    raw = f"{created_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position after which the next page starts; None for a missing or mangled cursor (page 1)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        when = parse_datetime(stamp)
        if when is None:
            return None
        return when, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def after_cursor(queryset, cursor: str | None, field: str = "created_at"):
    position = decode_cursor(cursor)
    if position is None:
        return queryset
    when, pk = position
    # `created_at <= when` lets the index range-scan; the OR then trims the equal-time rows.
    return queryset.filter(**{f"{field}__lte": when}).filter(Q(**{f"{field}__lt": when}) | Q(id__lt=pk))


@dataclass
class Page:
    items: list
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def keyset_page(queryset, cursor: str | None, size: int, field: str = "created_at") -> Page:
    """Newest first by `field` (a timestamp), then id; `field` names the rows' own time (e.g. an audit event's)."""
    rows = list(after_cursor(queryset, cursor, field).order_by(f"-{field}", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(getattr(rows[-1], field), rows[-1].pk) if more and rows else None)


# --- filters --------------------------------------------------------------------------------------


@dataclass
class Filters:
    model: str = ""
    person: str = ""  # a username
    since: datetime | None = None
    until: datetime | None = None
    favourites: bool = False
    tag: str = ""
    credentials: bool = False  # only images whose original carries C2PA content credentials
    raw: dict = field(default_factory=dict)
    # Filters higher apps registered (hooks.GRID_FILTERS, e.g. the review state): {param: chosen value}.
    registered: dict = field(default_factory=dict)

    @classmethod
    def from_query(cls, query) -> "Filters":
        def day(name, end=False):
            value = parse_date(query.get(name, "") or "") if query.get(name) else None
            if value is None:
                return None
            return timezone.make_aware(datetime.combine(value, time.max if end else time.min))

        try:
            since, until = day("from"), day("to", end=True)
        except ValueError:
            since = until = None
        registered = {param: query.get(param) for param, grid_filter in hooks.GRID_FILTERS.items()
                      if query.get(param) in {value for value, _ in grid_filter.choices if value}}
        raw = {k: query.get(k) for k in ("model", "person", "from", "to", "fav", "tag", "cc") if query.get(k)}
        return cls(model=query.get("model", "")[:100], person=query.get("person", "")[:150], since=since,
                   until=until, favourites=query.get("fav") == "1", tag=Tag.clean_name(query.get("tag", "")),
                   credentials=query.get("cc") == "1", raw={**raw, **registered}, registered=registered)

    @property
    def registered_choices(self) -> list:
        """(filter, chosen value) for each registered filter, for the filter bar."""
        return [(grid_filter, self.registered.get(param, "")) for param, grid_filter in hooks.GRID_FILTERS.items()]

    @property
    def active(self) -> bool:
        return bool(self.raw)

    def apply(self, queryset, user):
        if self.model:
            queryset = queryset.filter(model=self.model)
        if self.person:
            queryset = queryset.filter(owner__username=self.person)
        if self.since:
            queryset = queryset.filter(created_at__gte=self.since)
        if self.until:
            queryset = queryset.filter(created_at__lte=self.until)
        if self.favourites:
            queryset = queryset.filter(Exists(Favourite.objects.filter(user=user, image=OuterRef("pk"))))
        if self.tag:
            queryset = queryset.filter(Exists(Image.tags.through.objects.filter(image=OuterRef("pk"), tag__name=self.tag)))
        if self.credentials:
            queryset = queryset.filter(has_credentials=True)
        for param, value in self.registered.items():
            queryset = hooks.GRID_FILTERS[param].apply(queryset, value)
        return queryset


# --- galleries ------------------------------------------------------------------------------------


def _grid(queryset, user, fields=GRID_FIELDS):
    """A page of thumbnails with the viewer's star on each.

    No join to the owners: with one, PostgreSQL may loop over every user and probe the search
    index once per person (80 ms instead of 2 ms at 100,000 images). Owners come in one more query,
    `with_owners`, once the page is cut.
    """
    return (queryset.only(*fields)
            .annotate(is_favourite=Exists(Favourite.objects.filter(user=user, image=OuterRef("pk")))))


def with_owners(page: "Page") -> "Page":
    """Set `image.owner` on every image of a page from a single query."""
    ids = {image.owner_id for image in page.items}
    if ids:
        owners = get_user_model().objects.only("id", "username").in_bulk(ids)
        for image in page.items:
            image.owner = owners[image.owner_id]
    return page


def my_images(user):
    return Image.objects.visible_to(user).filter(owner=user)


def team_images(user, team):
    return Image.objects.visible_to(user).filter(team=team)


def gallery_page(user, queryset, filters: Filters, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    return with_owners(keyset_page(_grid(filters.apply(queryset, user), user), cursor, size))


def search_page(user, query: str, cursor: str | None, size: int = PAGE_SIZE, filters: Filters | None = None) -> Page:
    queryset = search.matching(Image.objects.visible_to(user), query, user)
    if filters:
        queryset = filters.apply(queryset, user)
    # The results show the prompt, or the revised prompt when that is what matched: load both here.
    return with_owners(keyset_page(_grid(queryset, user, (*GRID_FIELDS, "revised_prompt")), cursor, size))


def trash_page(user, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    # Ordered by creation like every grid; the page says when each one will be purged.
    queryset = Image.objects.in_trash_of(user).only(*GRID_FIELDS)
    return keyset_page(queryset, cursor, size)


def my_team(user, slug: str) -> tuple[Team, str] | None:
    """A team the person belongs to, with their role; None (so: 404) for anyone else."""
    membership = Membership.objects.select_related("team").filter(user=user, team__slug=slug).first()
    if membership is None:
        return None
    return membership.team, membership.role


def teams_of(user) -> list[Team]:
    return list(Team.objects.filter(memberships__user=user).order_by("name"))


def people_of(team) -> list:
    return list(get_user_model().objects.filter(memberships__team=team).order_by("username").only("id", "username"))


# --- one image ------------------------------------------------------------------------------------


def visible_image(user, pk: int) -> Image | None:
    return Image.objects.visible_to(user).select_related("owner", "team", "job").filter(pk=pk).first()


def image_for_bytes(user, pk: int) -> Image | None:
    """Just the columns serving needs, through the same door."""
    return (Image.objects.visible_to(user).filter(pk=pk)
            .only("id", "storage_key", "thumb_key", "content_type", "status").first())


def role_in_team(user, team_id: int | None) -> str | None:
    if team_id is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, team_id=team_id).values_list("role", flat=True).first()


def is_favourite(user, image) -> bool:
    return Favourite.objects.filter(user=user, image=image).exists()


# --- lineage --------------------------------------------------------------------------------------

# Recursive CTEs: both PostgreSQL and SQLite have them, so lineage costs the same two or three
# queries on either, whatever the depth. Depth is bounded so a corrupt cycle cannot loop.
_ANCESTORS_SQL = """
WITH RECURSIVE up(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM gallery_image WHERE id = %s
    UNION ALL
    SELECT i.id, i.parent_id, up.depth + 1 FROM gallery_image i JOIN up ON i.id = up.parent_id
    WHERE up.depth < %s
)
SELECT id, depth FROM up WHERE depth > 0 ORDER BY depth DESC
"""

_DESCENDANTS_SQL = """
WITH RECURSIVE down(id, depth) AS (
    SELECT id, 0 FROM gallery_image WHERE id = %s
    UNION ALL
    SELECT i.id, down.depth + 1 FROM gallery_image i JOIN down ON i.parent_id = down.id
    WHERE down.depth < %s
)
SELECT id FROM down LIMIT %s
"""


def ancestor_ids(pk: int) -> list[int]:
    """Ids from the oldest ancestor down to the parent (not the image itself)."""
    with connection.cursor() as cursor:
        cursor.execute(_ANCESTORS_SQL, [pk, ANCESTOR_LIMIT])
        return [row[0] for row in cursor.fetchall()]


def descendant_ids(pk: int, limit: int = FAMILY_LIMIT) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_DESCENDANTS_SQL, [pk, ANCESTOR_LIMIT, limit + 1])
        return [row[0] for row in cursor.fetchall()]


_CHAINS_SQL = """
WITH RECURSIVE up(start_id, id, parent_id, depth) AS (
    SELECT id, id, parent_id, 0 FROM gallery_image WHERE id IN ({starts})
    UNION ALL
    SELECT up.start_id, i.id, i.parent_id, up.depth + 1 FROM gallery_image i JOIN up ON i.id = up.parent_id
    WHERE up.depth < %s
)
SELECT start_id, id FROM up ORDER BY start_id, depth
"""


def lineages(user, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """For each image id, (id, job kind) from the image itself up to its root, in one query for all.

    Ancestors this person may not see are left out, as in the breadcrumb.
    """
    if not ids:
        return {}
    chains: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_CHAINS_SQL.format(starts=", ".join(["%s"] * len(ids))), [*ids, ANCESTOR_LIMIT])
        for start, pk in cursor.fetchall():
            chains.setdefault(start, []).append(pk)
    members = {pk for chain in chains.values() for pk in chain}
    kinds = dict(Image.objects.visible_to(user).filter(pk__in=members).values_list("pk", "job__kind"))
    return {start: [(pk, kinds[pk]) for pk in chain if pk in kinds] for start, chain in chains.items()}


def ancestors(user, image) -> list[Image]:
    """The breadcrumb, oldest first. Ancestors this person may not see are left out, not named."""
    ids = ancestor_ids(image.pk)
    if not ids:
        return []
    found = {i.pk: i for i in Image.objects.visible_to(user).filter(pk__in=ids).only(*GRID_FIELDS)}
    return [found[pk] for pk in ids if pk in found]


def children(user, image) -> list[Image]:
    """What grew from the image, each with `made_by` ("edit" or "variation", its job's kind) for its label."""
    return list(_grid(Image.objects.visible_to(user).filter(parent=image), user).annotate(made_by=F("job__kind"))
                .order_by("created_at", "id")[:PAGE_SIZE])


@dataclass
class FamilyNode:
    image: Image
    children: list = field(default_factory=list)


@dataclass
class Family:
    roots: list
    size: int
    truncated: bool


def family(user, image) -> Family:
    """The whole family of an image: everything that grew from its oldest visible ancestor."""
    ids = ancestor_ids(image.pk)
    root_id = ids[0] if ids else image.pk
    member_ids = descendant_ids(root_id)
    truncated = len(member_ids) > FAMILY_LIMIT
    member_ids = member_ids[:FAMILY_LIMIT]
    if image.pk not in member_ids:
        member_ids.append(image.pk)
    # `made_by` (the job's kind) labels each child an edit or a variation; `inputs` lets a root that was
    # made from an upload show it (its uploader only: uploads are nobody else's to see).
    members = list(Image.objects.visible_to(user).filter(pk__in=member_ids).only(*GRID_FIELDS)
                   .annotate(made_by=F("job__kind"), inputs=F("job__input_keys")).order_by("created_at", "id"))
    nodes = {m.pk: FamilyNode(m) for m in members}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.image.parent_id)
        # A member whose parent this person cannot see starts a branch of its own.
        (parent.children if parent else roots).append(node)
    return Family(roots=roots, size=len(nodes), truncated=truncated)


def models_in_archive(user) -> list[str]:
    """The models of the images this person may see: what the galleries' model filter offers (a model
    nobody used here, or one the registry dropped since, would only filter to nothing or hide images)."""
    return list(Image.objects.visible_to(user).order_by("model").values_list("model", flat=True).distinct())
