"""Search index v2: the document also carries scope words (`o<owner id>`, `t<team id>`).

With only the prompt in the index, a common word ("fox") matched 3% of a million-row archive and
PostgreSQL visited ~17,000 heap pages to sort them, most of them other teams' images (≈250 ms). With
the scope words in the same tsvector, one GIN probe answers "fox AND (mine OR my teams')" and only
visible matches reach the heap (≈20-50 ms). `visible_to` still filters every row: the scope words
only make the index narrower, they decide nothing.

PostgreSQL only. Keep the expression identical to `studio.gallery.search.DOCUMENT_SQL`.
"""
from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS image_search_scoped ON gallery_image USING gin (("
    "to_tsvector('english'::regconfig, prompt || ' ' || revised_prompt) || "
    "to_tsvector('simple'::regconfig, 'o' || owner_id::text || coalesce(' t' || team_id::text, ''))"
    ")) WHERE deleted_at IS NULL"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS image_search_live")
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        schema_editor.execute("DROP INDEX IF EXISTS image_search_scoped")
        schema_editor.execute(import_module("studio.gallery.migrations.0004_search_index").CREATE)


class Migration(migrations.Migration):
    dependencies = [("gallery", "0004_search_index")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
