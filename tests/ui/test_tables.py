"""Tables on a phone become one card per row (app.css, table.stack): every cell carries its column's
name in data-label, so nothing depends on the header row being in sight."""
import re

from django.urls import reverse


def _tables(html):
    return re.findall(r"<table[^>]*>.*?</table>", html, re.S)


def _check(table):
    assert 'class="jobs' in table and "stack" in table.split(">", 1)[0]
    headers = re.findall(r'<th scope="col" role="columnheader">([^<]*)</th>', table)
    for row in re.findall(r'<tr role="row">(.*?)</tr>', table.split("<tbody", 1)[1], re.S):
        assert re.findall(r'<td role="cell" data-label="([^"]*)"', row) == headers


def test_jobs_table_labels_every_cell(client, people, team, make_image):
    make_image(people["owner"], team=team)
    client.force_login(people["owner"])
    tables = _tables(client.get(reverse("generation:jobs")).content.decode())
    assert len(tables) == 1
    _check(tables[0])
    assert 'data-label="When"' in tables[0] and 'data-label="Status"' in tables[0]


def test_spend_tables_label_every_cell(client, people, team):
    from studio.generation import services

    services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="p",
                        params={"size": "256x256", "n": 1})
    client.force_login(people["owner"])
    page = client.get("/spend/").content.decode()
    tables = _tables(page)
    assert len(tables) == 3  # yours by model, the team's by person (an owner sees it) and by model
    for table in tables:
        _check(table)
    assert 'data-label="Person"' in tables[1] and 'data-label="Spent (USD)"' in tables[1]
    assert page.count('<div class="table-wrap">') == 3
