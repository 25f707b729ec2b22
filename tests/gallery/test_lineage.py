"""Lineage: a breadcrumb of ancestors, a grid of children, a family tree, in a fixed number of queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studio.gallery import selectors


@pytest.fixture
def family(make_image, people, team):
    """root -> a -> b -> c, root -> d; and e (private, owner's) under a."""
    owner = people["owner"]
    root = make_image(owner, team, prompt="root of the family")
    a = make_image(owner, team, prompt="child a", parent=root)
    b = make_image(people["teammate"], team, prompt="grandchild b", parent=a)
    c = make_image(owner, team, prompt="great-grandchild c", parent=b)
    d = make_image(owner, team, prompt="child d", parent=root)
    e = make_image(owner, None, prompt="private child e", parent=a)
    return dict(root=root, a=a, b=b, c=c, d=d, e=e)


def test_breadcrumb_and_children(client, people, family):
    client.force_login(people["teammate"])
    response = client.get(reverse("gallery:image", args=[family["b"].pk]))
    assert [i.pk for i in response.context["ancestors"]] == [family["root"].pk, family["a"].pk]
    assert [i.pk for i in response.context["children"]] == [family["c"].pk]
    html = response.content.decode()
    assert "Image %d" % family["root"].pk in html and reverse("gallery:family", args=[family["b"].pk]) in html


def test_children_respect_permissions(client, people, family):
    client.force_login(people["teammate"])
    children = client.get(reverse("gallery:image", args=[family["a"].pk])).context["children"]
    assert [i.pk for i in children] == [family["b"].pk]  # not the owner's private child e
    client.force_login(people["owner"])
    children = client.get(reverse("gallery:image", args=[family["a"].pk])).context["children"]
    assert {i.pk for i in children} == {family["b"].pk, family["e"].pk}


def test_family_tree(people, family):
    tree = selectors.family(people["owner"], family["c"])
    assert [n.image.pk for n in tree.roots] == [family["root"].pk]
    root = tree.roots[0]
    assert [n.image.pk for n in root.children] == [family["a"].pk, family["d"].pk]
    a = root.children[0]
    assert {n.image.pk for n in a.children} == {family["b"].pk, family["e"].pk}
    assert tree.size == 6 and not tree.truncated
    assert selectors.family(people["teammate"], family["c"]).size == 5


def test_invisible_ancestor_leaves_a_gap_not_a_name(people, family):
    from studio.gallery import services

    services.move_image(family["a"], None)  # a becomes private to the owner
    crumbs = selectors.ancestors(people["teammate"], family["c"])
    assert [i.pk for i in crumbs] == [family["root"].pk, family["b"].pk]
    tree = selectors.family(people["teammate"], family["c"])
    assert {n.image.pk for n in tree.roots} == {family["root"].pk, family["b"].pk}


def test_lineage_queries_do_not_grow_with_depth(client, people, team, make_image):
    client.force_login(people["owner"])
    counts = []
    for depth in (2, 12):
        image = make_image(people["owner"], team, stored=False)
        for _ in range(depth):
            image = make_image(people["owner"], team, parent=image, stored=False)
        for _ in range(depth):
            make_image(people["owner"], team, parent=image, stored=False)
        for name in ("gallery:image", "gallery:family"):
            client.get(reverse(name, args=[image.pk]))
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name, args=[image.pk])).status_code == 200
            counts.append((name, len(ctx.captured_queries)))
    assert counts[:2] == counts[2:]


def test_family_is_bounded(people, team, make_image, monkeypatch):
    monkeypatch.setattr(selectors, "FAMILY_LIMIT", 3)
    root = make_image(people["owner"], team, stored=False)
    for _ in range(5):
        make_image(people["owner"], team, parent=root, stored=False)
    tree = selectors.family(people["owner"], root)
    assert tree.truncated and tree.size == 3
