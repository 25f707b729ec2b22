"""Full-text search over prompt and revised_prompt: a GIN index on a to_tsvector expression.

PostgreSQL only; on SQLite search falls back to LIKE and this migration does nothing. The
expression must stay identical to `studio.gallery.search.DOCUMENT_SQL`, or the planner will not
use the index (tests/gallery/test_search.py checks with EXPLAIN).
"""
from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS image_search_live ON gallery_image USING gin "
    "((to_tsvector('english'::regconfig, prompt || ' ' || revised_prompt))) WHERE deleted_at IS NULL"
)
DROP = "DROP INDEX IF EXISTS image_search_live"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("gallery", "0003_archive")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
